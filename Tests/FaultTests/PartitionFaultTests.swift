import Foundation
import Testing

extension FaultSuite {
    /// Three nodes cut off from seven until each side has declared the other
    /// dead, then the link is restored and one node rejoins.
    ///
    /// Restoring the link alone heals nothing, in Go memberlist v0.2.2 as here:
    /// probes and push/pull only pick alive members and gossip to the dead only
    /// carries broadcasts still queued (memberlist-wire.md §7.1-7.3), all spent
    /// while the link was down. A rejoin is what heals (dskit's rejoin interval,
    /// or a restart with the seed list): the rejoining node's push/pulls carry
    /// each side's `dead` entries to the other as suspicions, every accused node
    /// refutes with a higher incarnation (§7.4) and the rejoined node relays it.
    @Suite(.serialized) struct PartitionFaultTests {
        @Test(.timeLimit(.minutes(10)))
        func threeCutOffFromSevenDeclareEachOtherDeadAndHeal() async throws {
            let lab = try NetworkLab(nodeCount: 10)
            defer { lab.remove() }
            let cluster = try await LabCluster.start(lab, count: 10)
            let minority = Array(0..<3), majority = Array(3..<10)
            let marks = cluster.nodes.map(\.logMark)
            try lab.partition(minority, from: majority)

            // Both sides declare the other dead (from the logs: a member dead for
            // GossipToTheDeadTime is reaped and leaves the `members` list).
            for (side, other) in [(minority, majority), (majority, minority)] {
                for index in side {
                    for name in other.map(LabCluster.name) {
                        try await cluster.nodes[index].waitForLog("member failed", member: name, since: marks[index],
                                                                  timeout: .seconds(90))
                    }
                }
            }
            // Heal only once each side has forgotten the other (reaped after
            // GossipToTheDeadTime, 30 s): the long partition that needs a rejoin. Healed
            // any earlier, `dead` broadcasts still queued on one side cross the restored
            // link and briefly mark live nodes dead on the other (dead(i) is accepted at
            // the known incarnation, §7.4) until they refute.
            for (side, other) in [(minority, majority), (majority, minority)] {
                let others = other.map(LabCluster.name)
                for index in side {
                    try await cluster.nodes[index].waitForMembers("the other side reaped", timeout: .seconds(60)) { members in
                        others.allSatisfy { members[$0] == nil }
                    }
                }
            }
            try lab.heal()
            var healing = cluster
            var healMarks = cluster.nodes.map(\.logMark)
            try await healing.restart(0, joining: healing.nodes.dropFirst().map(\.seed))
            healMarks[0] = 0
            let rejoined = ContinuousClock.now
            try await healing.waitUntilAllAlive(healing.nodes.indices, timeout: .seconds(90))
            print("partition healed: all 10 alive everywhere \(ContinuousClock.now - rejoined) after n0 rejoined")
            let deaths = healing.deathsLogged(since: healMarks)
            #expect(deaths.isEmpty, "nobody is declared dead while the sides merge: \(deaths)")

            let leaks = await healing.tearDown()
            #expect(leaks.isEmpty, "\(leaks)")
        }
    }
}
