import Foundation
import Glibc
import NetworkTestSupport
import Testing

/// Issue 9's first done-when on real processes, read the way an operator reads it: three
/// `memberlistd` nodes each register a ring instance, every node's `/metrics` counts three
/// ACTIVE members with fresh heartbeats (Pyroscope's `oldest_member_timestamp` query), and
/// SIGTERM on one shows its instance LEAVING, then gone, on the others.
extension ProcessClusterTests {
    @Suite(.serialized)
    struct RingMetricsProcessTests {
        /// Heartbeats every second; gossip every second too, so that the LEAVING state, which
        /// the leaving node holds until its KV broadcasts have all been sent (dskit's
        /// lifecycler), stays visible on the others for about a gossip interval.
        static let ringFlags = [
            "-memberlistd.ring.key=collectors/ring", "-memberlistd.ring.num-tokens=32",
            "-memberlistd.ring.heartbeat-period=1s", "-memberlist.gossip-interval=1s",
        ]

        static func scrape(_ port: UInt16) throws -> PrometheusTextParser {
            try PrometheusTextParser(HTTPTestClient.get(port: port, "/metrics").body)
        }

        static func ringMembers(_ metrics: PrometheusTextParser, _ state: String) -> Double {
            metrics.values("pyroscope_ring_members", ["state": state]).reduce(0, +)
        }

        @Test(.timeLimit(.minutes(3)))
        func threeActiveFreshInstancesThenSIGTERMShowsLeavingThenGone() async throws {
            let first = try await MemberlistdProcess.launch(name: "rm0", transport: "tcp", extra: Self.ringFlags)
            var nodes = [first]
            for index in 1...2 {
                nodes.append(try await MemberlistdProcess.launch(name: "rm\(index)", transport: "tcp",
                                                                 join: [first.address], extra: Self.ringFlags))
            }
            var ports: [UInt16] = []
            for node in nodes { ports.append(try await AdminPagesBrowserTests.httpPort(of: node)) }

            // Every node: 3 ACTIVE, and the oldest ACTIVE heartbeat at most two periods old.
            let deadline = ContinuousClock.now + .seconds(30)
            var formed = false
            while !formed, ContinuousClock.now < deadline {
                formed = try ports.allSatisfy { port in
                    let metrics = try Self.scrape(port)
                    let oldest = metrics.values("pyroscope_ring_oldest_member_timestamp", ["state": "ACTIVE"]).min() ?? 0
                    return Self.ringMembers(metrics, "ACTIVE") == 3 && Date().timeIntervalSince1970 - oldest <= 2
                }
                if !formed { try await Task.sleep(for: .milliseconds(100)) }
            }
            let seen = ports.map { (try? Self.scrape($0).values("pyroscope_ring_members")) ?? [] }
            #expect(formed, "ring not formed with fresh heartbeats: \(seen)")

            // SIGTERM on rm2: rm0 and rm1 each see one LEAVING, then two members, all ACTIVE.
            nodes[2].send(SIGTERM)
            var sawLeaving = [false, false], gone = [false, false]
            let end = ContinuousClock.now + .seconds(30)
            while !(gone.allSatisfy { $0 }), ContinuousClock.now < end {
                for index in 0..<2 where !gone[index] {
                    let metrics = try Self.scrape(ports[index])
                    if Self.ringMembers(metrics, "LEAVING") == 1 { sawLeaving[index] = true }
                    let total = metrics.values("pyroscope_ring_members").reduce(0, +)
                    if total == 2 && Self.ringMembers(metrics, "ACTIVE") == 2 { gone[index] = true }
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(sawLeaving == [true, true], "LEAVING seen on rm0, rm1: \(sawLeaving)")
            #expect(gone == [true, true], "gone on rm0, rm1: \(gone)")
            #expect(await nodes[2].stop(SIGTERM) == 0)
            for node in nodes.prefix(2) { _ = await node.stop(SIGTERM) }
        }
    }
}
