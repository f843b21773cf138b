import EventLoop
import HTTP
import KV
import NetworkTestSupport
import Node
import Testing
import Transport
@testable import Admin

/// A source with fixed contents: what the admin pages and metrics render from.
final class FixedAdminSource: AdminSource {
    var isReady = false
    var model: AdminPageModel
    var snapshot = NodeMetricsSnapshot()
    var forgotten: [(String, String)] = []
    var messagesDeleted = 0

    init(model: AdminPageModel) { self.model = model }

    func pageModel() -> AdminPageModel { model }
    func metrics() -> NodeMetricsSnapshot { snapshot }
    func rings() -> [RingView] { model.rings }
    func forget(ring: String, instance: String) -> Bool {
        forgotten.append((ring, instance))
        return model.rings.contains { $0.name == ring && $0.desc.instances[instance] != nil }
    }
    func deleteMessages() { messagesDeleted += 1 }
}

/// A ring of four instances, one of them with a heartbeat older than the timeout.
func sampleRing(nowSeconds: Int64) -> RingView {
    var desc = RingDesc()
    desc.instances["ingester-a"] = InstanceDesc(addr: "10.0.0.1:9095", timestamp: nowSeconds - 3, state: .active,
                                                tokens: [100, 3_000_000_000], zone: "z1", registeredTimestamp: nowSeconds - 600)
    desc.instances["ingester-b"] = InstanceDesc(addr: "10.0.0.2:9095", timestamp: nowSeconds - 10, state: .active,
                                                tokens: [2_000_000_000], registeredTimestamp: nowSeconds - 500)
    desc.instances["ingester-c"] = InstanceDesc(addr: "10.0.0.3:9095", timestamp: nowSeconds - 1, state: .leaving,
                                                tokens: [1_000_000_000])
    desc.instances["ingester-stale"] = InstanceDesc(addr: "10.0.0.4:9095", timestamp: nowSeconds - 600, state: .active,
                                                    tokens: [5])
    desc.instances["ingester-gone"] = InstanceDesc(addr: "10.0.0.5:9095", timestamp: nowSeconds, state: .left)
    return RingView(name: "ingester", key: "collectors/ring", desc: desc, heartbeatTimeout: .seconds(60))
}

/// One request answered by an `AdminServer` bound on a loop that is not run
/// (the routes answer synchronously).
func respond(_ source: FixedAdminSource, _ request: HTTPRequest, prefix: String = "pyroscope") throws -> HTTPResponse {
    let loop = try EventLoop()
    return try withExtendedLifetime(loop) {
        let server = try AdminServer(loop: loop, address: .init(ip: "127.0.0.1", port: 0)!, source: source,
                                     metricsPrefix: prefix)
        defer { server.close() }
        return server.respond(to: request)
    }
}

@Suite struct AdminMetricsTests {
    func scrape(_ source: FixedAdminSource, prefix: String = "pyroscope") throws -> PrometheusTextParser {
        let response = try respond(source, HTTPRequest(method: "GET", target: "/metrics"), prefix: prefix)
        #expect(response.status == .ok)
        #expect(response.headers.first { $0.0 == "Content-Type" }?.1 == PrometheusTextWriter.contentType)
        return try PrometheusTextParser(String(decoding: response.body, as: UTF8.self))
    }

    @Test func ringFamiliesFollowDskitWithEveryStateEmitted() throws {
        let now = WallClock.nowMillis() / 1000
        let source = FixedAdminSource(model: AdminPageModel(nodeName: "n", rings: [sampleRing(nowSeconds: now)]))
        let metrics = try scrape(source)
        let name = ["name": "ingester"]
        #expect(metrics.value("pyroscope_ring_members", name.merging(["state": "ACTIVE"]) { $1 }) == 2)
        #expect(metrics.value("pyroscope_ring_members", name.merging(["state": "LEAVING"]) { $1 }) == 1)
        #expect(metrics.value("pyroscope_ring_members", name.merging(["state": "PENDING"]) { $1 }) == 0)
        #expect(metrics.value("pyroscope_ring_members", name.merging(["state": "JOINING"]) { $1 }) == 0)
        #expect(metrics.value("pyroscope_ring_members", name.merging(["state": "Unhealthy"]) { $1 }) == 1)
        // The documented query's series: the oldest ACTIVE heartbeat, stale instances excluded.
        #expect(metrics.value("pyroscope_ring_oldest_member_timestamp", ["state": "ACTIVE"]) == Double(now - 10))
        #expect(metrics.value("pyroscope_ring_oldest_member_timestamp", name.merging(["state": "Unhealthy"]) { $1 })
                == Double(now - 600))
        #expect(metrics.value("pyroscope_ring_oldest_member_timestamp", name.merging(["state": "PENDING"]) { $1 }) == 0)
        #expect(metrics.value("pyroscope_ring_tokens_total", name) == 5)
        #expect(metrics.types["pyroscope_ring_members"] == "gauge")
    }

    @Test func nodeCountersAreExportedUnderDskitNamesAndOursWithReasons() throws {
        let source = FixedAdminSource(model: AdminPageModel(nodeName: "n"))
        var transport = TransportCounters()
        transport.packetsReceived = 41
        transport.sentBytes = 9000
        transport.acceptErrors = 2
        transport.tlsClientHandshakes = 10
        transport.tlsClientHandshakesResumed = 7
        transport.tlsServerHandshakes = 6
        transport.tlsServerHandshakesResumed = 1
        transport.tlsReloads = 2
        transport.tlsReloadFailures = 1
        var node = NodeCounters()
        node.packetsDropped = ["inflation": 3, "label": 1]
        node.streamsRefused = 4
        node.dnsLookups = 7
        node.dnsFailures = 1
        node.dnsProviderResults = ["dns+memberlist.svc:7946": 3, "weird\"addr\\\n": 1]
        node.userBroadcastsQueued = 5
        source.snapshot = NodeMetricsSnapshot(node: node, transport: transport, liveMembers: 3, healthScore: 2)
        let metrics = try scrape(source, prefix: "cortex")
        #expect(metrics.value("cortex_memberlist_tcp_transport_packets_received_total") == 41)
        #expect(metrics.value("cortex_memberlist_tcp_transport_sent_bytes_total") == 9000)
        #expect(metrics.types["cortex_memberlist_tcp_transport_sent_bytes_total"] == "counter")
        #expect(metrics.value("cortex_memberlist_client_cluster_members_count") == 3)
        #expect(metrics.value("cortex_memberlist_client_cluster_node_health_score") == 2)
        #expect(metrics.value("cortex_memberlist_client_messages_in_broadcast_queue", ["queue": "gossip"]) == 5)
        #expect(metrics.value("cortex_dns_lookups_total", ["name": "memberlist"]) == 7)
        #expect(metrics.value("cortex_dns_failures_total", ["name": "memberlist"]) == 1)
        #expect(metrics.value("cortex_dns_provider_results", ["name": "memberlist", "addr": "dns+memberlist.svc:7946"]) == 3)
        // Label values are escaped and read back unchanged.
        #expect(metrics.value("cortex_dns_provider_results", ["addr": "weird\"addr\\\n"]) == 1)
        #expect(metrics.value("cortex_memberlistd_packets_dropped_total", ["reason": "inflation"]) == 3)
        #expect(metrics.value("cortex_memberlistd_streams_dropped_total", ["reason": "refused"]) == 4)
        #expect(metrics.value("cortex_memberlistd_connections_dropped_total", ["reason": "accept_error"]) == 2)
        // Issue 14: handshakes by role, full (certificates exchanged) or resumed; reloads by result.
        let handshakes = "cortex_memberlistd_tls_handshakes_total"
        #expect(metrics.value(handshakes, ["role": "client", "session": "full"]) == 3)
        #expect(metrics.value(handshakes, ["role": "client", "session": "resumed"]) == 7)
        #expect(metrics.value(handshakes, ["role": "server", "session": "full"]) == 5)
        #expect(metrics.value(handshakes, ["role": "server", "session": "resumed"]) == 1)
        #expect(metrics.value("cortex_memberlistd_tls_reloads_total", ["result": "success"]) == 2)
        #expect(metrics.value("cortex_memberlistd_tls_reloads_total", ["result": "failure"]) == 1)
        #expect(metrics.samples.allSatisfy { $0.name.hasPrefix("cortex_") })
        // Every series belongs to a family with HELP and TYPE.
        for sample in metrics.samples {
            #expect(metrics.types[sample.name] != nil && metrics.helps[sample.name] != nil, "\(sample.name)")
        }
    }

    /// dskit's tracker histogram in the exposition format: cumulative buckets with `le` in
    /// seconds and `+Inf`, `_sum` in seconds, `_count`; absent while the tracker is off.
    @Test func propagationTrackerHistogramIsExportedWhileTheTrackerRuns() throws {
        let source = FixedAdminSource(model: AdminPageModel(nodeName: "n"))
        #expect(try scrape(source).types["pyroscope_memberlist_propagation_tracker_delay_seconds"] == nil)
        var tracker = PropagationDelayTracker.Metrics()
        for millis: Int64 in [3, 5, 40, 2_600, 12_345] { tracker.delays.observe(millis: millis) }
        tracker.beaconsPublished = 2
        tracker.beaconsReceived = 5
        var kv = NodeStatus.KVClientMetrics()
        kv.propagationTracker = tracker
        source.snapshot = NodeMetricsSnapshot(kv: kv)
        let metrics = try scrape(source)
        let name = "pyroscope_memberlist_propagation_tracker_delay_seconds"
        #expect(metrics.types[name] == "histogram")
        #expect(metrics.value(name + "_bucket", ["le": "0.005"]) == 2)
        #expect(metrics.value(name + "_bucket", ["le": "0.05"]) == 3)
        #expect(metrics.value(name + "_bucket", ["le": "2.5"]) == 3)
        #expect(metrics.value(name + "_bucket", ["le": "5"]) == 4)
        #expect(metrics.value(name + "_bucket", ["le": "10"]) == 4)
        #expect(metrics.value(name + "_bucket", ["le": "+Inf"]) == 5)
        #expect(metrics.values(name + "_bucket").count == 12)
        #expect(metrics.value(name + "_sum") == 14.993)
        #expect(metrics.value(name + "_count") == 5)
        #expect(metrics.value("pyroscope_memberlist_propagation_tracker_beacons_published_total") == 2)
        #expect(metrics.value("pyroscope_memberlist_propagation_tracker_beacons_received_total") == 5)
    }

    @Test func helpTextIsEscaped() {
        var writer = PrometheusTextWriter(prefix: "p")
        writer.family("x", .gauge, help: "a\\b\nc")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "# HELP p_x a\\\\b\\nc\n# TYPE p_x gauge\n")
    }
}
