import Membership
import Simulation
import Testing
import Wire

/// Eager dissemination (ours, `MembershipConfig.eagerDissemination`; issue #11): news goes
/// out at once from its retransmit budget. It must reach everyone far sooner than tick
/// gossip, with no more datagrams per change.
@Suite struct EagerDisseminationTests {
    let seed = SimulationSeed.fromEnvironment(default: 6_400)

    struct Outcome {
        var timesToAll: [Double] = []
        var reached: [Int] = []
        var datagramsPerChange: [Int] = []
    }

    func run(eager: Bool, nodes count: Int, changes: Int) throws -> Outcome {
        var config = MembershipConfig.lan
        config.eagerDissemination = eager
        let cluster = MembershipCluster(seed: seed.value, config: config)
        var tracked: [UInt8] = []
        var carrying = 0
        cluster.simulator.onDatagramSent = { _, _, messages in
            if messages.contains(where: { if case .user(let bytes) = $0 { bytes == tracked } else { false } }) { carrying += 1 }
        }
        let nodes = try cluster.addNodes(count, spacing: .milliseconds(5))
        #expect(cluster.runUntilConverged(nodes, within: .seconds(120)), "no convergence eager=\(eager) \(seed)")
        _ = cluster.simulator.run(until: cluster.now + .seconds(120), checkingEvery: .milliseconds(100)) { cluster.broadcastQueuesEmpty() }
        var outcome = Outcome()
        for index in 0..<changes {
            tracked = Array("news-\(index)".utf8)
            carrying = 0
            let tracker = cluster.broadcast(tracked, from: nodes[(index * 7) % count])
            _ = cluster.simulator.run(until: cluster.now + .seconds(30), checkingEvery: .milliseconds(1)) {
                cluster.timeline(tracker)?.isComplete ?? false
            }
            let timeline = try #require(cluster.timeline(tracker))
            // User messages have no anti-entropy, in either mode: with the same number of
            // transmits a node is occasionally never picked (about 1 in 300 receivers at
            // factor 4), so the time to 95% is compared, and a miss is counted.
            let most = try #require(timeline.timeToReach(fraction: 0.95), "news-\(index) stalled, eager=\(eager) \(seed)")
            outcome.timesToAll.append(most.seconds)
            outcome.reached.append(timeline.reachedCount)
            _ = cluster.simulator.run(until: cluster.now + .seconds(60), checkingEvery: .milliseconds(100)) { cluster.broadcastQueuesEmpty() }
            outcome.datagramsPerChange.append(carrying)
        }
        return outcome
    }

    @Test func eagerNewsReachesEveryoneSoonerWithNoMoreDatagrams() throws {
        let tick = try run(eager: false, nodes: 64, changes: 8)
        let eager = try run(eager: true, nodes: 64, changes: 8)
        let tickWorst = tick.timesToAll.max() ?? 0, eagerWorst = eager.timesToAll.max() ?? .infinity
        let tickDatagrams = tick.datagramsPerChange.reduce(0, +), eagerDatagrams = eager.datagramsPerChange.reduce(0, +)
        print("64 nodes, time to 95%: tick gossip worst \(tickWorst) s, \(tickDatagrams) datagrams, reached \(tick.reached); "
              + "eager worst \(eagerWorst) s, \(eagerDatagrams) datagrams, reached \(eager.reached) (\(seed))")
        // Issue #11's target: p99 time-to-all at most 1/20 of tick gossip's.
        #expect(eagerWorst * 20 <= tickWorst, "eager \(eager.timesToAll) vs tick \(tick.timesToAll) \(seed)")
        #expect(eager.reached.allSatisfy { $0 >= 61 } && tick.reached.allSatisfy { $0 >= 61 }, "\(seed)")
        #expect(eagerDatagrams <= tickDatagrams, "eager \(eager.datagramsPerChange) vs tick \(tick.datagramsPerChange) \(seed)")
    }
}
