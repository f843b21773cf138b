import Config
import Wire

/// dskit's TCP transport settings (`memberlist:` block, dskit-kv-ring.md §1
/// and §8), defaults as dskit ships them, plus the inbound bounds dskit lacks.
public struct DskitTransportConfiguration: Sendable, Equatable {
    /// `bind_addr`: one listener per address; empty means 0.0.0.0.
    public var bindAddresses: [IPAddress]
    /// `bind_port`: 0 = kernel-chosen on the first address, reused for the rest.
    public var bindPort: Int
    /// `advertise_addr`: nil derives it (``AdvertiseAddressRule``).
    public var advertiseAddress: IPAddress?
    /// `advertise_port`: used only with `advertise_addr`.
    public var advertisePort: Int
    /// `packet_dial_timeout`: connect (+ TLS handshake) bound for a packet.
    public var packetDialTimeout: Duration
    /// `packet_write_timeout`: one deadline for the whole packet write; zero = none.
    public var packetWriteTimeout: Duration
    /// `max_concurrent_writes`: packet writers; ≤ 0 means 1.
    public var maxConcurrentWrites: Int
    /// `acquire_writer_timeout`: how long a packet may wait for a free writer.
    public var acquireWriterTimeout: Duration
    /// TLS (`tls_enabled` and friends, and ours: persistent connections between
    /// memberlistd nodes, the client's session cache, the reload interval).
    public var tls: TLSSettings
    /// Largest packet payload accepted; bigger ones are dropped and counted.
    /// dskit reads to EOF unbounded; 10 MiB is its largest gossip packet
    /// (UDPBufferSize, dskit-kv-ring.md §1).
    public var maxPacketPayloadBytes: Int
    /// Packets waiting for a writer beyond this are dropped at once.
    public var maxQueuedPackets: Int
    /// How long an inbound connection may take to send its first byte and, for
    /// a packet, everything up to EOF (also bounds the TLS handshake).
    public var inboundPacketTimeout: Duration
    /// Unconsumed inbound stream bytes allowed before the stream is closed.
    public var maxStreamBufferBytes: Int
    /// Plain TCP: accepted connections being classified or read at once. Each
    /// holds a reusable read buffer (16 KiB, more only while a larger packet
    /// arrives), made on first need and kept, so steady traffic allocates
    /// nothing. A connection beyond this is closed at accept and counted in
    /// `inboundConnectionsDropped`; the loop never waits for a free one.
    public var maxInboundPacketConnections: Int
    /// Plain TCP: of those, at most this many from one source IP. Ours (issue #12): a
    /// slowloris that opens connections and sends nothing holds each slot for
    /// `inboundPacketTimeout`; without a per-source bound one such host keeps every slot
    /// busy and every honest peer's packets and joins are dropped at accept. Half the
    /// slots: test clusters on loopback share one address, and a busy node there has a
    /// handful of packet connections open at once.
    public var maxInboundPacketConnectionsPerSource: Int
    /// TLS: accepted connections still in their handshake at once, in all and from
    /// one source IP (``TCPListener/maxPendingHandshakes``). A connection beyond either
    /// is closed at accept and counted in `inboundConnectionsDropped`. Ours: dskit has no
    /// bound, so handshakes that never finish could use up the descriptors (issue #12).
    /// An honest peer has at most `max_concurrent_writes` packet connections and a
    /// stream or two handshaking at once; 64 per source leaves room for a dozen
    /// nodes sharing one address (a test cluster on loopback, peers behind one NAT).
    public var maxPendingHandshakes: Int
    public var maxPendingHandshakesPerSource: Int
    /// Client side: a persistent connection unused this long is closed. The
    /// server waits twice as long, so it is the client that ends an idle
    /// connection and a packet never races the server's close. Two minutes: an idle
    /// node probes one random peer every 5 s (dskit's TCP probe interval), so in a
    /// 10-node cluster a pair exchanges a packet about every 45 s; with 30 s most
    /// connections closed between two probes and each probe paid a (resumed)
    /// handshake per direction (docs/benchmarks.md, "TLS idle cost").
    public var persistentIdleTimeout: Duration
    /// Client side: persistent connections open at once (one per destination);
    /// beyond, packets to further peers use a connection each, as dskit does.
    public var maxPersistentOutbound: Int
    /// Server side: persistent connections kept at once; beyond, a new one is
    /// read and asked to close at once (the client falls back to a connection per packet).
    public var maxPersistentInbound: Int
    /// TLS server, with `tls.persistentConnections` (``DskitPacketStreamFrame``): lifetime of the session tickets
    /// issued to memberlistd clients (those offering the ALPN protocol; Go clients keep
    /// no session cache and get none). The ticket keys rotate this often and the
    /// previous key still decrypts, so no key lives longer than twice this. Zero = no tickets.
    public var tlsSessionTicketLifetime: Duration

    public init(
        bindAddresses: [IPAddress] = [IPAddress(0, 0, 0, 0)], bindPort: Int = 7946,
        advertiseAddress: IPAddress? = nil, advertisePort: Int = 7946,
        packetDialTimeout: Duration = .seconds(2), packetWriteTimeout: Duration = .seconds(5),
        maxConcurrentWrites: Int = 3, acquireWriterTimeout: Duration = .milliseconds(250),
        tls: TLSSettings = TLSSettings(),
        maxPacketPayloadBytes: Int = 10 * 1024 * 1024, maxQueuedPackets: Int = 1024,
        inboundPacketTimeout: Duration = .seconds(10), maxStreamBufferBytes: Int = 64 * 1024 * 1024,
        maxInboundPacketConnections: Int = 64, maxInboundPacketConnectionsPerSource: Int = 32,
        maxPendingHandshakes: Int = 256, maxPendingHandshakesPerSource: Int = 64,
        persistentIdleTimeout: Duration = .seconds(120),
        maxPersistentOutbound: Int = 64, maxPersistentInbound: Int = 128,
        tlsSessionTicketLifetime: Duration = .seconds(3600)
    ) {
        self.bindAddresses = bindAddresses
        self.bindPort = bindPort
        self.advertiseAddress = advertiseAddress
        self.advertisePort = advertisePort
        self.packetDialTimeout = packetDialTimeout
        self.packetWriteTimeout = packetWriteTimeout
        self.maxConcurrentWrites = maxConcurrentWrites
        self.acquireWriterTimeout = acquireWriterTimeout
        self.tls = tls
        self.maxPacketPayloadBytes = maxPacketPayloadBytes
        self.maxQueuedPackets = maxQueuedPackets
        self.inboundPacketTimeout = inboundPacketTimeout
        self.maxStreamBufferBytes = maxStreamBufferBytes
        self.maxInboundPacketConnections = maxInboundPacketConnections
        self.maxInboundPacketConnectionsPerSource = maxInboundPacketConnectionsPerSource
        self.maxPendingHandshakes = maxPendingHandshakes
        self.maxPendingHandshakesPerSource = maxPendingHandshakesPerSource
        self.persistentIdleTimeout = persistentIdleTimeout
        self.maxPersistentOutbound = maxPersistentOutbound
        self.maxPersistentInbound = maxPersistentInbound
        self.tlsSessionTicketLifetime = tlsSessionTicketLifetime
    }

    /// Writers actually used: dskit turns ≤ 0 into 1.
    public var effectiveWriterCount: Int { max(1, maxConcurrentWrites) }
}
