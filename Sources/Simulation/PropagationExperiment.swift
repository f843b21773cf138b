import Membership

/// Measures how fast news spreads through a simulated cluster, the numbers
/// docs/propagation.md compares with Serf's convergence model.
///
/// Per run: `nodeCount` nodes join through one seed node, the run continues
/// until the views agree and every broadcast queue is empty (so the measured
/// news does not compete with join traffic), then `samples` times a random
/// node (a) queues one user broadcast, re-gossiped by each receiver as Serf
/// does, and (b) changes its metadata, which memberlist spreads as an alive
/// update that every receiver rebroadcasts (memberlist-wire.md §7.2, §7.4, §9).
/// Each sample waits for full delivery (or `sampleTimeout`) and for the queues
/// to drain before the next.
public struct PropagationExperiment {
    public var nodeCount: Int
    public var config: MembershipConfig
    public var conditions: LinkConditions
    public var samples: Int
    public var sampleTimeout: VirtualDuration = .seconds(60)

    public init(nodeCount: Int, config: MembershipConfig = .lan, conditions: LinkConditions = .lan, samples: Int = 5) {
        (self.nodeCount, self.config, self.conditions, self.samples) = (nodeCount, config, conditions, samples)
    }

    /// One piece of news: when 50%, 99% and 100% of the other nodes had it
    /// (nil where that fraction was not reached within the sample timeout).
    public struct Sample: Sendable {
        public var p50: VirtualDuration?
        public var p99: VirtualDuration?
        public var p100: VirtualDuration?
    }

    public struct Result: Sendable {
        public var seed: UInt64
        public var converged: Bool
        public var broadcasts: [Sample]
        public var updates: [Sample]
    }

    public func run(seed: UInt64) throws -> Result {
        let cluster = MembershipCluster(seed: seed, config: config, conditions: conditions)
        let nodes = try cluster.addNodes(nodeCount, spacing: .milliseconds(5))
        let converged = cluster.runUntilConverged(nodes, within: .seconds(600), checkingEvery: .milliseconds(500))
        settle(cluster)
        var picker = SeededRandom(seed: seed ^ 0x7072_6F70_6167_6174)
        var result = Result(seed: seed, converged: converged, broadcasts: [], updates: [])
        for index in 0..<samples {
            let origin = nodes[Int(picker.next(upperBound: UInt64(nodes.count)))]
            let broadcast = cluster.broadcast(Array("news-\(index)".utf8), from: origin)
            result.broadcasts.append(measure(broadcast, in: cluster))
            settle(cluster)
            if let update = cluster.updateMeta(Array("meta-\(index)".utf8), on: origin) {
                result.updates.append(measure(update, in: cluster))
            }
            settle(cluster)
        }
        return result
    }

    private func measure(_ tracker: MembershipCluster.TrackerID, in cluster: MembershipCluster) -> Sample {
        _ = cluster.simulator.run(until: cluster.now + sampleTimeout, checkingEvery: .milliseconds(10)) {
            cluster.timeline(tracker)?.isComplete ?? true
        }
        let timeline = cluster.timeline(tracker)
        return Sample(p50: timeline?.timeToReach(fraction: 0.5), p99: timeline?.timeToReach(fraction: 0.99),
                      p100: timeline?.timeToReach(fraction: 1))
    }

    /// Runs until no node has anything left to gossip (at most 10 minutes).
    private func settle(_ cluster: MembershipCluster) {
        _ = cluster.simulator.run(until: cluster.now + .seconds(600), checkingEvery: .milliseconds(200)) {
            cluster.broadcastQueuesEmpty()
        }
    }
}
