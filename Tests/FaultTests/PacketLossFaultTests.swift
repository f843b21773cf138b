import Foundation
import Testing

extension FaultSuite {
    /// Ten nodes, each dropping 10% of the packets that reach it at random
    /// (nft `numgen random`, so 10% of every datagram and TCP segment between
    /// nodes), for `lossDuration`: Lifeguard's indirect probes
    /// and refutation must keep every node alive everywhere (memberlist-wire.md
    /// §7.1, §7.4), and a broadcast must still reach every node.
    @Suite(.serialized) struct PacketLossFaultTests {
        @Test(.timeLimit(.minutes(10)))
        func tenNodesAtTenPercentLossDeclareNobodyDead() async throws {
            let lab = try NetworkLab(nodeCount: 10)
            defer { lab.remove() }
            let cluster = try await LabCluster.start(lab, count: 10)
            let marks = cluster.nodes.map(\.logMark)
            for index in cluster.nodes.indices { try lab.addRandomLoss(index, oneIn: 10) }
            let lossStarted = ContinuousClock.now

            let payload = "lossy-\(getpid())"
            try cluster.nodes[3].broadcast(payload)
            for node in cluster.nodes where node !== cluster.nodes[3] {
                try await node.waitForLog("received user message", containing: "payload=\(payload)",
                                          since: marks[cluster.nodes.firstIndex { $0 === node } ?? 0])
            }

            // Runs for the whole duration, stopping as soon as anyone declares anyone dead
            // (the logs are saved for a post-mortem either way).
            while ContinuousClock.now < lossStarted + FaultSuite.lossDuration,
                  cluster.deathsLogged(since: marks).isEmpty {
                try await Task.sleep(for: .seconds(1))
            }
            let deaths = cluster.deathsLogged(since: marks)
            guard deaths.isEmpty else {
                // Each node's drop counters at the moment of the false death, for the post-mortem.
                let counters = cluster.nodes.indices.map { index in
                    let text = (try? lab.httpGet(from: index, "http://127.0.0.1:4040/metrics")) ?? "unreachable"
                    let lines = text.split(separator: "\n").filter {
                        !$0.hasPrefix("#") && ($0.contains("dropped") || $0.contains("packets_received") || $0.contains("failed"))
                    }
                    return "n\(index): " + lines.joined(separator: "; ")
                }
                let leaks = await cluster.tearDown()
                Issue.record("""
                    false dead under 10% loss:
                    \(deaths.joined(separator: "\n"))
                    counters:
                    \(counters.joined(separator: "\n"))
                    leaks: \(leaks)
                    """)
                return
            }
            let left = cluster.nodes.flatMap { $0.lines("member left", since: 0) }
            #expect(left.isEmpty, "nobody left, yet: \(left)")
            let dropped = try cluster.nodes.indices.map { try lab.droppedByLoss($0) }
            #expect(dropped.allSatisfy { $0 > 0 }, "every node's loss rules dropped packets: \(dropped)")
            try await cluster.waitUntilAllAlive(cluster.nodes.indices, timeout: .seconds(10))
            let suspicions = zip(cluster.nodes, marks).map { $0.lines("member suspected", since: $1).count }
            print("10% loss for \(FaultSuite.lossDuration): packets dropped per node \(dropped), suspicions logged per node \(suspicions), no dead")

            let leaks = await cluster.tearDown()
            #expect(leaks.isEmpty, "\(leaks)")
        }
    }
}
