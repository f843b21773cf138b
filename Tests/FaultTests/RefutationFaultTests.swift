import Foundation
import Testing
import Wire

extension FaultSuite {
    /// A peer that lies about us: `dead` about a live node, and a second process
    /// claiming its name from another address (memberlist-wire.md §7.4).
    /// Namespace 3 runs no node; the crafted packets come from its address.
    @Suite(.serialized) struct RefutationFaultTests {
        static let attacker = 3

        /// Sends `dead{incarnation, node: n0, from: mallory}` to each of `targets`.
        private func accuse(_ cluster: LabCluster, incarnation: Int, to targets: [LabNode]) throws {
            let packet = Message.dead(Dead(incarnation: UInt32(incarnation), node: "n0", from: "mallory")).encodedBytes
            for target in targets {
                try cluster.lab.sendDatagram(from: Self.attacker, to: target.address, port: target.port, packet)
            }
        }

        /// Waits until every node lists n0 alive with an incarnation above `incarnation`.
        private func expectRefuted(_ cluster: LabCluster, above incarnation: Int) async throws -> Int {
            var seen = 0
            for node in cluster.nodes {
                let members = try await node.waitForMembers("n0 alive above incarnation \(incarnation)",
                                                             timeout: .seconds(30)) { members in
                    members["n0"].map { $0.state == "alive" && $0.incarnation > incarnation } ?? false
                }
                seen = max(seen, members["n0"]?.incarnation ?? 0)
            }
            return seen
        }

        @Test(.timeLimit(.minutes(10)))
        func deadAboutUsIsRefutedAndNobodyTakesOurName() async throws {
            let lab = try NetworkLab(nodeCount: 5)
            defer { lab.remove() }
            let cluster = try await LabCluster.start(lab, count: 3)
            let start = try #require(try await cluster.nodes[1].members()["n0"]?.incarnation)

            // Told it is dead, n0 refutes before anyone else hears of it: nobody declares it dead.
            var marks = cluster.nodes.map(\.logMark)
            try accuse(cluster, incarnation: start, to: [cluster.nodes[0]])
            let first = try await expectRefuted(cluster, above: start)
            #expect(cluster.deathsLogged(since: marks).isEmpty, "\(cluster.deathsLogged(since: marks))")

            // The others believe a `dead` about n0 at its current incarnation and gossip it;
            // n0 hears it and refutes again, so they bring it back alive.
            marks = cluster.nodes.map(\.logMark)
            try accuse(cluster, incarnation: first, to: Array(cluster.nodes.dropFirst()))
            for node in cluster.nodes.dropFirst() {
                try await node.waitForLog("member failed", member: "n0", since: marks[cluster.nodes.firstIndex { $0 === node } ?? 0])
            }
            let second = try await expectRefuted(cluster, above: first)
            print("n0 refuted two dead accusations: incarnation \(start) -> \(first) -> \(second)")

            // A second process named n0 at another address: a name conflict, ignored
            // (DeadNodeReclaimTime 0); everyone keeps n0 at its own address, alive.
            marks = cluster.nodes.map(\.logMark)
            let impostor = try await LabNode.launch(lab, 4, name: "n0", join: [cluster.nodes[1].seed])
            try await cluster.nodes[1].waitForLog("node name conflict", containing: "other=\(impostor.seed)", since: marks[1])
            for node in cluster.nodes {
                let members = try await node.members()
                #expect(members["n0"] == LabNode.MemberRow(address: cluster.nodes[0].seed, state: "alive", incarnation: second),
                        "\(node.name) sees n0 as \(String(describing: members["n0"]))")
            }
            #expect(cluster.deathsLogged(since: marks).isEmpty, "\(cluster.deathsLogged(since: marks))")
            await impostor.stop()

            let leaks = await cluster.tearDown()
            #expect(leaks.isEmpty, "\(leaks)")
        }
    }
}
