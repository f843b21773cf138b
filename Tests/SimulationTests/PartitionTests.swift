import Membership
import Simulation
import Testing
import Wire

/// Partitions on the simulator (memberlist-wire.md §7.2 gossip to the dead,
/// §7.1 reaping, §7.4 refutation, §9 join).
@Suite struct PartitionTests {
    let seed = SimulationSeed.fromEnvironment(default: 4_242)

    /// Twenty nodes split 10/10 for `seconds`.
    private func splitCluster(for seconds: UInt64) throws -> (MembershipCluster, [NodeID]) {
        let cluster = MembershipCluster(seed: seed.value)
        let nodes = try cluster.addNodes(20, spacing: .milliseconds(20))
        #expect(cluster.runUntilConverged(nodes, within: .seconds(30)), "no convergence \(seed)")
        let partition = cluster.simulator.partition(Partition.isolating(Set(nodes.prefix(10)), from: nodes))
        cluster.simulator.run(for: .seconds(seconds))
        cluster.simulator.heal(partition)
        return (cluster, nodes)
    }

    @Test func shortPartitionHealsBackToOneView() throws {
        // 10 s: long enough for suspicions and dead declarations (§7.5 min is
        // 5.2 s at n = 20) but within GossipToTheDeadTime (30 s), so gossip
        // still reaches the "dead" side, which refutes.
        let (cluster, nodes) = try splitCluster(for: 10)
        #expect(cluster.suspicionCount > 0 && !cluster.deathDeclarations.isEmpty,
                "partition had no effect \(seed)")
        let healedAt = cluster.now
        #expect(cluster.runUntilConverged(nodes, within: .seconds(60)), "still split \(seed)")
        print("10 s partition: \(cluster.deathDeclarations.count) dead declarations, one view again after \(cluster.now.since(healedAt)) \(seed)")
    }

    @Test func longPartitionNeedsARejoinThenConvergesToOneView() throws {
        // 90 s: each side declares the other dead and reaps it after
        // GossipToTheDeadTime (30 s, §7.1); memberlist then never contacts the
        // other side again (push/pull and probes pick only known live nodes).
        let (cluster, nodes) = try splitCluster(for: 90)
        let far = nodes[15]
        #expect(cluster.core(nodes[0])?.member(named: cluster.name(of: far)) == nil, "not reaped \(seed)")
        #expect(!cluster.runUntilConverged(nodes, within: .seconds(60)), "healed without rejoin? \(seed)")
        // Rejoining through the seed, as dskit's rejoin does, restores one view.
        for id in nodes where id != cluster.seedNode { cluster.rejoin(id) }
        let rejoinedAt = cluster.now
        #expect(cluster.runUntilConverged(nodes, within: .seconds(60)), "still split after rejoin \(seed)")
        print("90 s partition: one view \(cluster.now.since(rejoinedAt)) after rejoin \(seed)")
    }
}
