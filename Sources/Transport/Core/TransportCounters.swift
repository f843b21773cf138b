import EventLoop

/// What a transport counted since it started, with dskit's metric meaning
/// (dskit-kv-ring.md §6, `<prefix>_memberlist_tcp_transport_*_total`).
///
/// Both transports fill the same fields so the node exports one set of
/// metrics; `acceptErrors` and `packetsReceivedTooLarge` are ours (dskit only
/// logs those cases).
public struct TransportCounters: Sendable, Equatable {
    /// Inbound streams handed to the node (`incoming_streams_total`).
    public var incomingStreams = 0
    /// Outbound streams that opened (`outgoing_streams_total`).
    public var outgoingStreams = 0
    /// Outbound streams that failed to open (`outgoing_stream_errors_total`).
    public var outgoingStreamErrors = 0
    /// Packets delivered to the node (`packets_received_total`).
    public var packetsReceived = 0
    /// Payload bytes of delivered packets (`packets_received_bytes_total`).
    public var packetsReceivedBytes = 0
    /// Inbound packets that were malformed, truncated, too large or failed
    /// their MD5 check (`packets_received_errors_total`). A digest mismatch is
    /// counted here and still delivered, as dskit does.
    public var packetsReceivedErrors = 0
    /// Inbound packets dropped for exceeding the size cap (also in `packetsReceivedErrors`).
    public var packetsReceivedTooLarge = 0
    /// Packets fully handed to the kernel (`packets_sent_total`).
    public var packetsSent = 0
    /// Payload bytes of those packets (`packets_sent_bytes_total`).
    public var packetsSentBytes = 0
    /// Packets whose dial, handshake or write failed (`packets_sent_errors_total`).
    public var packetsSentErrors = 0
    /// Packets dropped before sending: no writer became free within
    /// `acquire_writer_timeout`, or (UDP) the socket buffer was full
    /// (`packets_dropped_total`).
    public var packetsDropped = 0
    /// Connections whose first byte was neither packet nor stream (`unknown_connections_total`).
    public var unknownConnections = 0
    /// Inbound connections that failed before classification (TLS handshake
    /// rejected, accept error). dskit only logs these.
    public var acceptErrors = 0
    /// dskit plain TCP: accepted connections closed at once because
    /// `maxInboundPacketConnections` were already being read; with TLS, because
    /// `maxPendingHandshakes` (or `maxPendingHandshakesPerSource` from that IP) were
    /// already handshaking. Ours (dskit has no bound).
    public var inboundConnectionsDropped = 0
    /// Every byte written to any connection, packets and streams (`sent_bytes_total`).
    public var sentBytes = 0
    /// Every byte read from any connection, packets and streams (`received_bytes_total`).
    public var receivedBytes = 0
    /// dskit TLS: handshakes completed as client (packet and stream connections this
    /// node dialled) and, of those, the ones that resumed a session (no certificate
    /// exchanged). Ours; what persistent connections and resumption save (issue 14).
    public var tlsClientHandshakes = 0
    public var tlsClientHandshakesResumed = 0
    /// dskit TLS: the same as server (connections this node accepted).
    public var tlsServerHandshakes = 0
    public var tlsServerHandshakesResumed = 0
    /// dskit TLS: certificate, key and CA reloads applied, and refused (a bad file:
    /// the previous ones stay in use). Ours (issue 14).
    public var tlsReloads = 0
    public var tlsReloadFailures = 0
    /// dskit TLS: packets written on an already open persistent packet connection
    /// to another memberlistd node, i.e. without a new connection (``DskitPacketStreamFrame``).
    public var packetsSentReused = 0
    /// dskit TLS: persistent packet connections open now, as client (a gauge).
    public var persistentConnectionsOutbound = 0
    /// dskit TLS: persistent packet connections open now, as server (a gauge).
    public var persistentConnectionsInbound = 0

    public init() {}

    /// Handshakes in both roles.
    public var tlsHandshakes: Int { tlsClientHandshakes + tlsServerHandshakes }
}

/// The live counters, shared by a transport and the streams it created so
/// that stream traffic lands in `sentBytes`/`receivedBytes`. Loop thread only.
final class CounterStore {
    var values = TransportCounters()

    /// Counts the TLS handshake `connection` just completed (nothing for plain TCP).
    func countHandshake(of connection: TCPConnection, asClient: Bool) {
        guard connection.isTLS else { return }
        let resumed = connection.tlsSessionResumed ? 1 : 0
        if asClient {
            values.tlsClientHandshakes += 1
            values.tlsClientHandshakesResumed += resumed
        } else {
            values.tlsServerHandshakes += 1
            values.tlsServerHandshakesResumed += resumed
        }
    }
}
