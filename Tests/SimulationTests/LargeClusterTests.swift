import Membership
import NetworkTestSupport
import Simulation
import Testing

/// The simulator at the scale ARCHITECTURE.md's testing ladder asks for
/// (1,000 nodes): join, convergence and one user broadcast. It keeps a core
/// busy for minutes, so it never runs beside the fault tests (`CPUShare`).
@Suite(.cpu(.loadsCPU)) struct LargeClusterTests {
    let seed = SimulationSeed.fromEnvironment(default: 1_000)

    @Test func thousandNodesJoinConvergeAndReceiveABroadcast() throws {
        let cluster = MembershipCluster(seed: seed.value)
        let nodes = try cluster.addNodes(1_000, spacing: .milliseconds(5))
        let converged = cluster.runUntilConverged(nodes, within: .seconds(120), checkingEvery: .milliseconds(500))
        #expect(converged, "not converged by \(cluster.now) \(seed)")
        #expect(cluster.deathDeclarations.isEmpty, "\(cluster.deathDeclarations.prefix(3)) \(seed)")

        let broadcast = cluster.broadcast(Array("hello, 1000".utf8), from: nodes[500])
        let delivered = cluster.simulator.run(until: cluster.now + .seconds(30), checkingEvery: .milliseconds(100)) {
            cluster.timeline(broadcast)?.isComplete ?? false
        }
        let timeline = try #require(cluster.timeline(broadcast))
        #expect(delivered, "broadcast reached \(timeline.reachedCount) of 999 \(seed)")
        print("1000 nodes: converged \(converged) at \(cluster.now), broadcast 50/99/100%:",
              timeline.timeToReach(fraction: 0.5) ?? .zero, timeline.timeToReach(fraction: 0.99) ?? .zero,
              timeline.timeToReach(fraction: 1) ?? .zero, seed, cluster.simulator.counters)
    }
}
