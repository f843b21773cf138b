import HTTP
import KV
import Node
import Transport

/// The counters a scrape exports, read from the node at scrape time: what
/// the node already counts, exported, not recounted (issue 9 item 4).
public struct NodeMetricsSnapshot: Sendable {
    public var node: NodeCounters
    public var transport: TransportCounters
    public var http: HTTPServerCounters
    /// Members alive or suspect, self included (dskit's `cluster_members_count`).
    public var liveMembers: Int
    /// Lifeguard's awareness score (`cluster_node_health_score`; 0 is healthy).
    public var healthScore: Int
    /// The KV store's `memberlist_client_*` counts (`GossipNode.kvClientMetrics`).
    public var kv: NodeStatus.KVClientMetrics

    public init(node: NodeCounters = NodeCounters(), transport: TransportCounters = TransportCounters(),
                http: HTTPServerCounters = HTTPServerCounters(), liveMembers: Int = 0, healthScore: Int = 0,
                kv: NodeStatus.KVClientMetrics = NodeStatus.KVClientMetrics()) {
        (self.node, self.transport, self.http, self.liveMembers, self.healthScore, self.kv) =
            (node, transport, http, liveMembers, healthScore, kv)
    }

    /// Writes every family with dskit's names (dskit-kv-ring.md 6) and ours
    /// under `memberlistd_` with a `reason` label.
    public func write(into writer: inout PrometheusTextWriter) {
        writeClient(into: &writer)
        writeTransport(into: &writer)
        writeDNS(into: &writer)
        writeOwn(into: &writer)
        writeTLS(into: &writer)
    }

    /// Ours: what persistent connections and resumption save on dskit's TLS transport (issue 14).
    private func writeTLS(into writer: inout PrometheusTextWriter) {
        writer.family("memberlistd_tls_handshakes_total", .counter,
                      help: "TLS handshakes completed, by role and whether a session was resumed (full = certificates exchanged)")
        writer.sample("memberlistd_tls_handshakes_total", "role", "client", "session", "full",
                      Int64(transport.tlsClientHandshakes - transport.tlsClientHandshakesResumed))
        writer.sample("memberlistd_tls_handshakes_total", "role", "client", "session", "resumed",
                      Int64(transport.tlsClientHandshakesResumed))
        writer.sample("memberlistd_tls_handshakes_total", "role", "server", "session", "full",
                      Int64(transport.tlsServerHandshakes - transport.tlsServerHandshakesResumed))
        writer.sample("memberlistd_tls_handshakes_total", "role", "server", "session", "resumed",
                      Int64(transport.tlsServerHandshakesResumed))
        writer.family("memberlistd_tls_reloads_total", .counter,
                      help: "TLS certificate, key and CA reloads (SIGHUP or changed files); failure = refused, the previous files stay in use")
        writer.sample("memberlistd_tls_reloads_total", "result", "success", Int64(transport.tlsReloads))
        writer.sample("memberlistd_tls_reloads_total", "result", "failure", Int64(transport.tlsReloadFailures))
        writer.counter("memberlistd_packets_sent_reused_total",
                       help: "Packets written on an open persistent connection to a memberlistd node",
                       transport.packetsSentReused)
        writer.family("memberlistd_persistent_connections", .gauge,
                      help: "Persistent packet connections between memberlistd nodes open now")
        writer.sample("memberlistd_persistent_connections", "direction", "outbound",
                      Int64(transport.persistentConnectionsOutbound))
        writer.sample("memberlistd_persistent_connections", "direction", "inbound",
                      Int64(transport.persistentConnectionsInbound))
    }

    private func writeClient(into writer: inout PrometheusTextWriter) {
        writer.gauge("memberlist_client_cluster_members_count", help: "Number of members in memberlist cluster",
                     liveMembers)
        writer.gauge("memberlist_client_cluster_node_health_score",
                     help: "Health score of this cluster. Lower value is better. 0 = healthy", healthScore)
        // dskit's two KV queues (dskit-kv-ring.md 3.5): "local" holds this node's own writes,
        // "gossip" the deltas of others' and, here, the opaque user messages the node relays.
        writer.family("memberlist_client_messages_in_broadcast_queue", .gauge,
                      help: "Number of user messages in the broadcast queue")
        writer.sample("memberlist_client_messages_in_broadcast_queue", "queue", "gossip",
                      Int64(kv.messagesInBroadcastQueueGossip + node.userBroadcastsQueued))
        writer.sample("memberlist_client_messages_in_broadcast_queue", "queue", "local",
                      Int64(kv.messagesInBroadcastQueueLocal))
        writer.gauge("memberlist_client_messages_in_broadcast_queue_bytes",
                     help: "Total size of messages waiting in the broadcast queue",
                     kv.messagesInBroadcastQueueBytes + node.userBroadcastBytesQueued)
        writer.counter("memberlist_client_messages_to_broadcast_dropped_total",
                       help: "Number of broadcast messages intended to be sent but were dropped due to encoding errors or for being too big",
                       node.userBroadcastsDropped)
        writeKV(into: &writer)
    }

    /// dskit's KV client families (dskit-kv-ring.md 6), full names as static text.
    private static let kvFamilies: [(String, PrometheusTextWriter.Kind, String,
                                     any KeyPath<NodeStatus.KVClientMetrics, Int> & Sendable)] = [
        ("memberlist_client_received_broadcasts_total", .counter, "Number of received broadcast user messages",
         \.receivedBroadcastsTotal),
        ("memberlist_client_received_broadcasts_bytes_total", .counter, "Total size of received broadcast user messages",
         \.receivedBroadcastsBytesTotal),
        ("memberlist_client_received_broadcasts_invalid_total", .counter,
         "Number of received broadcast user messages that were invalid. Hopefully 0.", \.receivedBroadcastsInvalidTotal),
        ("memberlist_client_received_broadcasts_dropped_total", .counter,
         "Number of received broadcast user messages that were dropped. Hopefully 0.", \.receivedBroadcastsDroppedTotal),
        ("memberlist_client_state_pushes_total", .counter, "How many times did this node push its full state to another node",
         \.statePushesTotal),
        ("memberlist_client_state_pushes_bytes_total", .counter, "Total size of pushed state", \.statePushesBytesTotal),
        ("memberlist_client_state_pulls_total", .counter, "How many times did this node pull full state from another node",
         \.statePullsTotal),
        ("memberlist_client_state_pulls_bytes_total", .counter, "Total size of pulled state", \.statePullsBytesTotal),
        ("memberlist_client_cas_attempt_total", .counter, "Attempted CAS operations", \.casAttemptTotal),
        ("memberlist_client_cas_success_total", .counter, "Successful CAS operations", \.casSuccessTotal),
        ("memberlist_client_cas_failure_total", .counter, "Failed CAS operations", \.casFailureTotal),
        ("memberlist_client_kv_store_count", .gauge, "Number of values in KV Store", \.kvStoreCount),
        ("memberlist_client_pending_key_notifications", .gauge, "Number of pending notifications in WatchPrefix function",
         \.pendingKeyNotifications),
        ("memberlistd_kv_broadcasts_invalidated_total", .counter,
         "Queued KV broadcasts replaced by a newer one covering the same content", \.broadcastsInvalidatedTotal),
    ]

    private func writeKV(into writer: inout PrometheusTextWriter) {
        for (name, kind, help, value) in Self.kvFamilies {
            writer.family(name, kind, help: help)
            writer.sample(name, Int64(kv[keyPath: value]))
        }
        writer.family("memberlist_client_kv_store_value_tombstones", .gauge,
                      help: "Number of tombstones currently present in KV store values")
        for (key, count) in kv.kvStoreValueTombstones.sorted(by: { $0.key < $1.key }) {
            writer.sample("memberlist_client_kv_store_value_tombstones", "key", key, Int64(count))
        }
        writer.family("memberlist_client_kv_store_value_tombstones_removed_total", .counter,
                      help: "Total number of tombstones which have been removed from KV store values")
        for (key, count) in kv.kvStoreValueTombstonesRemovedTotal.sorted(by: { $0.key < $1.key }) {
            writer.sample("memberlist_client_kv_store_value_tombstones_removed_total", "key", key, Int64(count))
        }
        writer.family("memberlist_client_watch_prefix_dropped_notifications", .counter,
                      help: "Number of dropped notifications in WatchPrefix function")
        for (prefix, count) in kv.watchPrefixDroppedNotifications.sorted(by: { $0.key < $1.key }) {
            writer.sample("memberlist_client_watch_prefix_dropped_notifications", "prefix", prefix, Int64(count))
        }
        if let tracker = kv.propagationTracker { writePropagationTracker(tracker, into: &writer) }
        // The Lifecycler's heartbeat counter, labelled with the ring's name (dskit-kv-ring.md 6).
        writer.family("member_consul_heartbeats_total", .counter, help: "The total number of heartbeats sent to consul.")
        if !kv.memberHeartbeatsRingKey.isEmpty {
            writer.sample("member_consul_heartbeats_total", "name", RingView.ringName(forKey: kv.memberHeartbeatsRingKey),
                          Int64(kv.memberHeartbeatsTotal))
        }
    }

    /// dskit's propagation delay tracker, exported only while it runs, as dskit registers
    /// these families only when it creates the tracker (dskit-kv-ring.md 8).
    private func writePropagationTracker(_ tracker: PropagationDelayTracker.Metrics, into writer: inout PrometheusTextWriter) {
        writer.histogram("memberlist_propagation_tracker_delay_seconds", help: "Time from beacon publish to receive.",
                         boundsMillis: DelayHistogram.boundsMillis, cumulativeCounts: tracker.delays.cumulativeCounts,
                         sumMillis: tracker.delays.sumMillis, count: tracker.delays.count)
        writer.counter("memberlist_propagation_tracker_beacons_published_total",
                       help: "Total number of beacons published by this node.", tracker.beaconsPublished)
        writer.counter("memberlist_propagation_tracker_beacons_received_total",
                       help: "Total number of unique beacons received.", tracker.beaconsReceived)
    }

    /// dskit's `memberlist_tcp_transport_*` counters, full names as static text
    /// so a scrape builds no name strings.
    private static let transportFamilies: [(String, String, any KeyPath<TransportCounters, Int> & Sendable)] = [
        ("memberlist_tcp_transport_incoming_streams_total", "Number of incoming memberlist streams", \.incomingStreams),
        ("memberlist_tcp_transport_outgoing_streams_total", "Number of outgoing streams", \.outgoingStreams),
        ("memberlist_tcp_transport_outgoing_stream_errors_total",
         "Number of errors when opening memberlist stream to another node", \.outgoingStreamErrors),
        ("memberlist_tcp_transport_packets_received_total", "Number of received memberlist packets", \.packetsReceived),
        ("memberlist_tcp_transport_packets_received_bytes_total", "Total bytes received as packets",
         \.packetsReceivedBytes),
        ("memberlist_tcp_transport_packets_received_errors_total", "Number of errors when receiving memberlist packets",
         \.packetsReceivedErrors),
        ("memberlist_tcp_transport_packets_sent_total", "Number of memberlist packets sent", \.packetsSent),
        ("memberlist_tcp_transport_packets_sent_bytes_total", "Total bytes sent as packets", \.packetsSentBytes),
        ("memberlist_tcp_transport_packets_sent_errors_total", "Number of errors when sending memberlist packets",
         \.packetsSentErrors),
        ("memberlist_tcp_transport_packets_dropped_total",
         "Number of dropped memberlist packets. These packets were not sent due to timeout waiting for client.",
         \.packetsDropped),
        ("memberlist_tcp_transport_unknown_connections_total",
         "Number of unknown TCP connections (not a packet or stream)", \.unknownConnections),
        ("memberlist_tcp_transport_sent_bytes_total", "Number of bytes sent (packets and streams)", \.sentBytes),
        ("memberlist_tcp_transport_received_bytes_total", "Number of bytes received (packets and streams)",
         \.receivedBytes),
    ]

    private func writeTransport(into writer: inout PrometheusTextWriter) {
        for (name, help, value) in Self.transportFamilies {
            writer.counter(name, help: help, transport[keyPath: value])
        }
    }

    private func writeDNS(into writer: inout PrometheusTextWriter) {
        writer.family("dns_lookups_total", .counter, help: "The number of DNS lookups resolutions attempts")
        writer.sample("dns_lookups_total", "name", "memberlist", Int64(node.dnsLookups))
        writer.family("dns_failures_total", .counter, help: "The number of DNS lookup failures")
        writer.sample("dns_failures_total", "name", "memberlist", Int64(node.dnsFailures))
        writer.family("dns_provider_results", .gauge, help: "The number of resolved endpoints for each configured address")
        for (address, count) in node.dnsProviderResults.sorted(by: { $0.key < $1.key }) {
            writer.sample("dns_provider_results", "name", "memberlist", "addr", address, Int64(count))
        }
    }

    private func writeOwn(into writer: inout PrometheusTextWriter) {
        writer.family("memberlistd_packets_dropped_total", .counter,
                      help: "Inbound packets dropped before the membership core, by reason (inflation = over the decompression budget)")
        for (reason, count) in node.packetsDropped.sorted(by: { $0.key < $1.key }) {
            writer.sample("memberlistd_packets_dropped_total", "reason", reason, Int64(count))
        }
        writer.sample("memberlistd_packets_dropped_total", "reason", "compound_part", Int64(node.compoundPartsDropped))
        writer.sample("memberlistd_packets_dropped_total", "reason", "unencodable", Int64(node.packetsUnencodable))
        writer.sample("memberlistd_packets_dropped_total", "reason", "too_large", Int64(transport.packetsReceivedTooLarge))
        writer.family("memberlistd_streams_dropped_total", .counter,
                      help: "Inbound streams closed unanswered, by reason (refused = too many open)")
        writer.sample("memberlistd_streams_dropped_total", "reason", "refused", Int64(node.streamsRefused))
        for (reason, count) in node.streamsFailed.sorted(by: { $0.key < $1.key }) {
            writer.sample("memberlistd_streams_dropped_total", "reason", reason, Int64(count))
        }
        writer.family("memberlistd_connections_dropped_total", .counter,
                      help: "Inbound gossip connections closed before use, by reason")
        writer.sample("memberlistd_connections_dropped_total", "reason", "accept_error", Int64(transport.acceptErrors))
        writer.sample("memberlistd_connections_dropped_total", "reason", "packet_connection_limit",
                      Int64(transport.inboundConnectionsDropped))
        writer.family("memberlistd_http_responses_total", .counter, help: "Admin HTTP responses by status code")
        for (code, count) in http.responses.sorted(by: { $0.key < $1.key }) {
            writer.sample("memberlistd_http_responses_total", "code", String(code), Int64(count))
        }
        writer.family("memberlistd_http_connections_dropped_total", .counter,
                      help: "Admin HTTP connections closed by the server, by reason")
        writer.sample("memberlistd_http_connections_dropped_total", "reason", "connection_limit", Int64(http.connectionsRefused))
        writer.sample("memberlistd_http_connections_dropped_total", "reason", "timeout", Int64(http.connectionsTimedOut))
    }
}
