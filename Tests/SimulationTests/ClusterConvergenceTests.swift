import Membership
import Simulation
import Testing
import Wire

/// Membership cores on the simulator: joins, failure detection, loss,
/// partitions, broadcasts (memberlist-wire.md §7-9). Every failure message
/// carries "seed=<n>"; rerun with SIM_SEED=<n> to reproduce.
@Suite struct ClusterConvergenceTests {
    let seed = SimulationSeed.fromEnvironment(default: 7_946)

    @Test func hundredNodesConvergeAfterJoiningThroughOneSeed() throws {
        let cluster = MembershipCluster(seed: seed.value)
        let nodes = try cluster.addNodes(100, spacing: .milliseconds(10))
        let converged = cluster.runUntilConverged(nodes, within: .seconds(60))
        #expect(converged, "not converged by \(cluster.now) \(seed)")
        for id in [nodes[0], nodes[37], nodes[99]] {
            let view = cluster.view(of: id)
            #expect(view.count == 100 && view.values.allSatisfy { $0 == .alive }, "view of \(id) \(seed)")
        }
        #expect(cluster.deathDeclarations.isEmpty, "\(cluster.deathDeclarations.prefix(3)) \(seed)")
        print("100-node join converged at \(cluster.now) \(seed), counters \(cluster.simulator.counters)")
    }
}
