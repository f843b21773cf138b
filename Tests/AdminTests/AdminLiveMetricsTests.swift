import Config
import EventLoop
import HTTP
import KV
import NetworkTestSupport
import Testing
@testable import Admin
@testable import Node

/// `/metrics` of running nodes: two `GossipNode`s on loopback UDP, each with its own ring
/// instance and an admin server, and dskit's `memberlist_client_*` families read from the
/// KV store as real activity (CAS, gossip, push/pull, heartbeats) moves them
/// (dskit-kv-ring.md 6).
@Suite(.serialized) struct AdminLiveMetricsTests {
    static let distributorKey = "collectors/distributor"

    static func makeNode(_ name: String, loop: EventLoop) throws -> GossipNode {
        let config = try NodeConfig.parse([
            "-memberlist.transport=udp", "-memberlist.bind-addr=127.0.0.1", "-memberlist.bind-port=0",
            "-memberlist.nodename=\(name)", "-memberlist.randomize-node-name=false",
            "-memberlist.probe-interval=100ms", "-memberlist.probe-timeout=50ms", "-memberlist.gossip-interval=20ms",
            "-memberlist.pullpush-interval=200ms",
            "-memberlistd.ring.key=collectors/ring", "-memberlistd.ring.num-tokens=4",
            "-memberlistd.ring.heartbeat-period=100ms",
        ])
        return try GossipNode(config: config, loop: loop, logger: Logger(level: .error))
    }

    static func scrape(_ server: AdminServer) throws -> PrometheusTextParser {
        let response = server.respond(to: HTTPRequest(method: "GET", target: "/metrics"))
        return try PrometheusTextParser(String(decoding: response.body, as: UTF8.self))
    }

    static func activeInstances(_ node: GossipNode) -> Int {
        (node.kvGet("collectors/ring")?.value as? RingDesc)?.instances.values.filter { $0.state == .active }.count ?? 0
    }

    @Test func kvClientFamiliesMoveWithRealActivity() throws {
        let script = try LoopScript()
        let a = try Self.makeNode("a", loop: script.loop)
        let b = try Self.makeNode("b", loop: script.loop)
        let loopback = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
        let serverA = try AdminServer(loop: script.loop, address: loopback, source: NodeAdminSource(node: a, ready: true),
                                      metricsPrefix: "pyroscope")
        let serverB = try AdminServer(loop: script.loop, address: loopback, source: NodeAdminSource(node: b, ready: true),
                                      metricsPrefix: "pyroscope")
        var first: PrometheusTextParser?
        var afterWrite: PrometheusTextParser?
        var last: PrometheusTextParser?
        var failedCAS: GossipNode.KVCASResult?
        var casFailuresCounted = -1
        var localQueuedBefore = -1

        script.step("a and b see each other and both ring instances ACTIVE", until: {
            a.liveMembers.count == 2 && b.liveMembers.count == 2
                && Self.activeInstances(a) == 2 && Self.activeInstances(b) == 2
        }) {
            first = try? Self.scrape(serverA)
            localQueuedBefore = b.kvClientMetrics().messagesInBroadcastQueueLocal
            b.kvCAS(key: Self.distributorKey, codecID: RingDescCodec.codecID, update: { _ in
                RingDesc(instances: ["distributor-1": InstanceDesc(addr: "10.1.1.1:9095", timestamp: 1_700_000_000,
                                                                   state: .active, tokens: [7], id: "distributor-1")])
            }, completion: { _ in
                // Read on the loop right after the write: queued locally, not yet gossiped.
                afterWrite = try? Self.scrape(serverB)
            })
            // A CAS that cannot be written (no such codec) fails and is counted. Counted at once:
            // later, a heartbeat retry still pending at shutdown gives up and counts one more.
            let failuresBefore = b.kvClientMetrics().casFailureTotal
            b.kvCAS(key: "collectors/other", codecID: "no-such-codec", update: { _ in RingDesc() },
                    completion: {
                        failedCAS = $0
                        casFailuresCounted = b.kvClientMetrics().casFailureTotal - failuresBefore
                    })
            // An opaque user message is no KV update: a counts it invalid and relays it.
            b.broadcast(Array("not a key-value pair".utf8))
        }
        script.step("a holds b's write, counted an invalid message, pushed and pulled state and heartbeat since", until: {
            guard let first, let now = try? Self.scrape(serverA) else { return false }
            let grew = { (name: String) in
                (now.value(name, [:]) ?? 0) > (first.value(name, [:]) ?? 0)
            }
            guard a.kvGet(Self.distributorKey) != nil,
                  now.value("pyroscope_memberlist_client_received_broadcasts_invalid_total") ?? 0 >= 1,
                  grew("pyroscope_memberlist_client_state_pushes_total"), grew("pyroscope_memberlist_client_state_pulls_total"),
                  grew("pyroscope_member_consul_heartbeats_total") else { return false }
            last = now
            return true
        }) {
            a.shutdown()
            b.shutdown()
        }
        let finished = try script.run(within: .seconds(20)) {
            do {
                try a.start()
                try b.start()
            } catch {
                Issue.record("start: \(error)")
            }
            b.joinCluster([JoinSeed(host: "127.0.0.1", port: a.advertisedAddress.port)],
                          schedule: JoinSchedule(maxAttempts: 5, minBackoff: .milliseconds(20), maxBackoff: .milliseconds(40))) { _ in
                script.poke()
            }
        }
        serverA.close()
        serverB.close()
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        let before = try #require(first)
        let written = try #require(afterWrite)
        let after = try #require(last)

        // b: its own write sits on the local queue; the failed CAS is an attempt and a failure.
        // (A heartbeat of b's own instance may still be queued: another key, not invalidated.)
        #expect(written.value("pyroscope_memberlist_client_messages_in_broadcast_queue", ["queue": "local"])
                == Double(localQueuedBefore + 1))
        #expect(written.value("pyroscope_memberlist_client_messages_in_broadcast_queue_bytes") ?? 0 > 0)
        #expect(written.value("pyroscope_memberlist_client_kv_store_count") == 2)
        if case .failed(.unknownCodec("no-such-codec"))? = failedCAS {} else { Issue.record("CAS: \(String(describing: failedCAS))") }
        let bMetrics = b.kvClientMetrics()
        #expect(casFailuresCounted == 1)
        #expect(bMetrics.casAttemptTotal >= bMetrics.casSuccessTotal + 1)

        // a: one key more, b's write received as a gossiped broadcast, the opaque one invalid.
        #expect(before.value("pyroscope_memberlist_client_kv_store_count") == 1, "the ring only")
        #expect(after.value("pyroscope_memberlist_client_kv_store_count") == 2)
        let received = { (scrape: PrometheusTextParser) in scrape.value("pyroscope_memberlist_client_received_broadcasts_total") ?? -1 }
        let receivedBytes = { (scrape: PrometheusTextParser) in
            scrape.value("pyroscope_memberlist_client_received_broadcasts_bytes_total") ?? -1
        }
        #expect(received(after) >= received(before) + 2, "b's write and the opaque message")
        #expect(receivedBytes(after) > receivedBytes(before))
        // Each copy of the opaque message that arrives is counted, as dskit counts them.
        #expect(before.value("pyroscope_memberlist_client_received_broadcasts_invalid_total") == 0)
        #expect(after.value("pyroscope_memberlist_client_received_broadcasts_invalid_total") ?? 0 >= 1)
        #expect(after.value("pyroscope_memberlist_client_received_broadcasts_dropped_total") == 0)
        #expect(after.value("pyroscope_memberlist_client_state_pushes_bytes_total") ?? 0
                > before.value("pyroscope_memberlist_client_state_pushes_bytes_total") ?? 0)
        #expect(after.value("pyroscope_memberlist_client_cas_success_total") ?? 0 >= 2, "register and join")
        #expect(after.value("pyroscope_member_consul_heartbeats_total", ["name": "ingester"]) ?? 0 >= 1)
        #expect(after.value("pyroscope_ring_members", ["name": "ingester", "state": "ACTIVE"]) == 2)
        for family in ["pyroscope_memberlist_client_received_broadcasts_total", "pyroscope_memberlist_client_state_pulls_total",
                       "pyroscope_memberlist_client_cas_attempt_total", "pyroscope_member_consul_heartbeats_total"] {
            #expect(after.types[family] == "counter", "\(family)")
        }
        #expect(after.types["pyroscope_memberlist_client_kv_store_count"] == "gauge")
        #expect(after.types["pyroscope_memberlist_client_pending_key_notifications"] == "gauge")
    }
}
