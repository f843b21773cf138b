import Wire

/// Every setting of memberlist's `Config`, with the same defaults
/// (memberlist-wire.md §8). `.lan` is `DefaultLANConfig`, `.wan` is
/// `DefaultWANConfig`, `.local` is `DefaultLocalConfig`. Settings that only
/// the runtime acts on (bind address, keys, compression, DNS) live here too
/// so that one value describes a node.
public struct MembershipConfig: Sendable, Equatable {
    /// Unique node name (Go defaults to the hostname; the runtime fills it in).
    public var name: String
    /// Optional packet/stream label (§3.2), at most 255 bytes.
    public var label: String
    /// Accept only unlabelled inbound traffic while still using the label as AAD (§3.2).
    public var skipInboundLabelCheck: Bool
    public var bindAddress: IPAddress
    public var bindPort: UInt16
    /// Address advertised to peers; nil = the runtime picks one.
    public var advertiseAddress: IPAddress?
    /// Port advertised to peers; nil = the bind port.
    public var advertisePort: UInt16?
    /// Protocol version spoken (1...5); Go's default is 2.
    public var protocolVersion: UInt8
    /// Deadline for a push/pull or user-message stream.
    public var tcpTimeout: Duration
    /// Peers asked for an indirect ping after a failed direct probe (§7.1).
    public var indirectChecks: Int
    /// Retransmit limit = retransmitMult × ceil(log10(n+1)) (§7.2).
    public var retransmitMult: Int
    /// Suspicion timeout multiplier (§7.5).
    public var suspicionMult: Int
    /// Suspicion max = suspicionMaxTimeoutMult × min (§7.5).
    public var suspicionMaxTimeoutMult: Int
    /// Full state sync interval, scaled with cluster size (§7.3); zero disables it.
    public var pushPullInterval: Duration
    /// Failure-detection round interval (§7.1); zero disables probing.
    public var probeInterval: Duration
    /// Wait for a direct ack before indirect probes (§7.1).
    public var probeTimeout: Duration
    /// Skip the TCP fallback ping (§7.1).
    public var disableTcpPings: Bool
    /// Health-score ceiling + 1 (Lifeguard awareness, §7.1).
    public var awarenessMaxMultiplier: Int
    /// Gossip round interval (§7.2); zero disables gossip.
    public var gossipInterval: Duration
    /// Peers per gossip round (§7.2).
    public var gossipNodes: Int
    /// How long dead nodes still receive gossip and stay listed (§7.1, §7.2).
    public var gossipToTheDeadTime: Duration
    public var gossipVerifyIncoming: Bool
    public var gossipVerifyOutgoing: Bool
    public var enableCompression: Bool
    /// AES keys, primary first; empty = no encryption (§5).
    public var secretKeys: [[UInt8]]
    public var delegateProtocolVersion: UInt8
    public var delegateProtocolMin: UInt8
    public var delegateProtocolMax: UInt8
    /// Byte budget of one outgoing UDP packet (§3.4).
    public var udpBufferSize: Int
    /// After this long dead, a node's name may be reclaimed by a new address; zero = never (§7.4).
    public var deadNodeReclaimTime: Duration
    /// Bounds of the user-broadcast queue (ours; Go's is unbounded): a broadcast
    /// storm cannot grow memory without limit (issue #12, docs/limits.md).
    public var maxQueuedUserBroadcasts: Int
    public var maxQueuedUserBroadcastBytes: Int
    /// dskit's zone-aware routing; nil = off (every node may be picked).
    public var zoneRouting: ZoneRouting?
    /// Send new broadcasts at once, from their retransmit budget, instead of at the next
    /// gossip ticks (ours, `-memberlist.eager-dissemination`; issue #11). Off by default.
    public var eagerDissemination: Bool

    public init(name: String = "") {
        self.name = name
        label = ""
        skipInboundLabelCheck = false
        bindAddress = IPAddress(0, 0, 0, 0)
        bindPort = 7946
        advertiseAddress = nil
        advertisePort = nil
        protocolVersion = ProtocolVersion.default
        tcpTimeout = .seconds(10)
        indirectChecks = 3
        retransmitMult = 4
        suspicionMult = 4
        suspicionMaxTimeoutMult = 6
        pushPullInterval = .seconds(30)
        probeInterval = .seconds(1)
        probeTimeout = .milliseconds(500)
        disableTcpPings = false
        awarenessMaxMultiplier = 8
        gossipInterval = .milliseconds(200)
        gossipNodes = 3
        gossipToTheDeadTime = .seconds(30)
        gossipVerifyIncoming = true
        gossipVerifyOutgoing = true
        enableCompression = true
        secretKeys = []
        delegateProtocolVersion = 0
        delegateProtocolMin = 0
        delegateProtocolMax = 0
        udpBufferSize = 1400
        deadNodeReclaimTime = .zero
        maxQueuedUserBroadcasts = 4096
        maxQueuedUserBroadcastBytes = 16 * 1024 * 1024
        zoneRouting = nil
        eagerDissemination = false
    }

    /// memberlist `DefaultLANConfig`.
    public static var lan: MembershipConfig { MembershipConfig() }

    /// memberlist `DefaultWANConfig`.
    public static var wan: MembershipConfig {
        var config = MembershipConfig()
        config.tcpTimeout = .seconds(30)
        config.suspicionMult = 6
        config.pushPullInterval = .seconds(60)
        config.probeTimeout = .seconds(3)
        config.probeInterval = .seconds(5)
        config.gossipNodes = 4
        config.gossipInterval = .milliseconds(500)
        config.gossipToTheDeadTime = .seconds(60)
        return config
    }

    /// memberlist `DefaultLocalConfig`.
    public static var local: MembershipConfig {
        var config = MembershipConfig()
        config.tcpTimeout = .seconds(1)
        config.indirectChecks = 1
        config.retransmitMult = 2
        config.suspicionMult = 3
        config.pushPullInterval = .seconds(15)
        config.probeTimeout = .milliseconds(200)
        config.probeInterval = .seconds(1)
        config.gossipInterval = .milliseconds(100)
        config.gossipToTheDeadTime = .seconds(15)
        return config
    }

    /// Encryption is on when at least one key is configured (§5).
    public var encryptionEnabled: Bool { !secretKeys.isEmpty }

    /// The Vsn bytes this node advertises: [1, 5, protocolVersion, dmin, dmax, dcur] (§2.4).
    public var versions: ProtocolVersions {
        ProtocolVersions(protocolMin: ProtocolVersion.min, protocolMax: ProtocolVersion.max,
                         protocolCurrent: protocolVersion, delegateMin: delegateProtocolMin,
                         delegateMax: delegateProtocolMax, delegateCurrent: delegateProtocolVersion)
    }

    /// Bytes a label header costs in a packet: 2 + length, or 0 without a label (§3.4).
    public var labelOverhead: Int { label.isEmpty ? 0 : 2 + label.utf8.count }

    /// Worst-case encryption overhead: 29 at encryption vsn 1, 45 at vsn 0
    /// (used when speaking protocol 1), 0 without keys (§3.4, §5).
    public var encryptionOverhead: Int {
        guard encryptionEnabled else { return 0 }
        return protocolVersion < 2 ? 45 : 29
    }
}
