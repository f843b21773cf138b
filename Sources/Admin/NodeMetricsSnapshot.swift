import HTTP
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

    public init(node: NodeCounters = NodeCounters(), transport: TransportCounters = TransportCounters(),
                http: HTTPServerCounters = HTTPServerCounters(), liveMembers: Int = 0, healthScore: Int = 0) {
        self.node = node
        self.transport = transport
        self.http = http
        self.liveMembers = liveMembers
        self.healthScore = healthScore
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
        writer.counter("memberlistd_tls_handshakes_total", help: "TLS handshakes completed, as client and as server",
                       transport.tlsHandshakes)
        writer.counter("memberlistd_tls_resumed_handshakes_total", help: "TLS handshakes that resumed a session",
                       transport.tlsResumedHandshakes)
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
        // The node's one broadcast queue holds relayed and local user messages:
        // dskit's "gossip" queue; "local" (KV updates made here) stays 0 until a KV store feeds it.
        writer.family("memberlist_client_messages_in_broadcast_queue", .gauge,
                      help: "Number of user messages in the broadcast queue")
        writer.sample("memberlist_client_messages_in_broadcast_queue", "queue", "gossip", Int64(node.userBroadcastsQueued))
        writer.sample("memberlist_client_messages_in_broadcast_queue", "queue", "local", 0)
        writer.gauge("memberlist_client_messages_in_broadcast_queue_bytes",
                     help: "Total size of messages waiting in the broadcast queue", node.userBroadcastBytesQueued)
        writer.counter("memberlist_client_messages_to_broadcast_dropped_total",
                       help: "Number of broadcast messages intended to be sent but were dropped due to queue being full",
                       node.userBroadcastsDropped)
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
