import Membership
import Simulation
import Testing

/// User broadcasts (memberlist-wire.md §3.6, §7.2) on the simulator.
@Suite struct BroadcastTests {
    let seed = SimulationSeed.fromEnvironment(default: 808)

    @Test func userBroadcastReachesEveryNode() throws {
        let cluster = MembershipCluster(seed: seed.value)
        let nodes = try cluster.addNodes(50, spacing: .milliseconds(20))
        #expect(cluster.runUntilConverged(nodes, within: .seconds(30)), "no convergence \(seed)")
        let payload = Array("deploy v2".utf8)
        let tracker = cluster.broadcast(payload, from: nodes[17])
        let complete = cluster.simulator.run(until: cluster.now + .seconds(30), checkingEvery: .milliseconds(50)) {
            cluster.timeline(tracker)?.isComplete ?? false
        }
        let timeline = try #require(cluster.timeline(tracker))
        #expect(complete, "reached \(timeline.reachedCount) of 49 \(seed)")
        #expect(!timeline.hasReached(nodes[17]), "the origin does not deliver to itself \(seed)")
    }

    @Test func bareMemberlistSendsAUserBroadcastOnlyRetransmitLimitTimes() throws {
        // Without an application re-queueing it, only the origin gossips the
        // message, RetransmitMult × ceil(log10(n+1)) = 4 × 2 = 8 times at
        // n = 50 (§7.2), so at most 8 nodes can receive it.
        let cluster = MembershipCluster(seed: seed.value, rebroadcastsUserMessages: false)
        let nodes = try cluster.addNodes(50, spacing: .milliseconds(20))
        #expect(cluster.runUntilConverged(nodes, within: .seconds(30)), "no convergence \(seed)")
        _ = cluster.simulator.run(until: cluster.now + .seconds(120), checkingEvery: .milliseconds(200)) {
            cluster.broadcastQueuesEmpty()
        }
        let tracker = cluster.broadcast(Array("once".utf8), from: nodes[3])
        cluster.simulator.run(for: .seconds(30))
        let reached = try #require(cluster.timeline(tracker)).reachedCount
        #expect(reached >= 1 && reached <= 8, "reached \(reached) \(seed)")
        #expect(cluster.core(nodes[3])?.queuedBroadcasts.user == 0, "still queued \(seed)")
    }
}
