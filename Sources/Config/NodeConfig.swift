import Membership
import Wire

/// Everything a memberlistd node needs, validated: the memberlist settings
/// (`membership`, with the transport's forced values already applied) plus
/// what only the runtime uses. Built from the catalog's typed settings
/// (flags and config file) by `NodeConfig.load` / `NodeConfig(settings:)`;
/// the defaults below are `NodeConfig(settings: SettingValues())`'s.
public struct NodeConfig: Sendable, Equatable {
    /// memberlist's Config. `membership.name` is empty until
    /// `resolvingNodeName(hostname:randomSuffix:)` fills it in.
    public var membership: MembershipConfig
    /// `-memberlist.nodename` ("" = the hostname).
    public var nodeName: String
    /// `-memberlist.randomize-node-name`: append `-` + 8 hex digits (dskit-kv-ring.md §3.7).
    public var randomizeNodeName: Bool
    public var transport: TransportKind
    /// Where to listen; the first address is used (0.0.0.0 when none is given).
    public var bindAddresses: [IPAddress]
    public var bindPort: UInt16
    /// `-memberlist.advertise-addr`; nil = derived from the bind address (dskit-kv-ring.md §1).
    public var advertiseAddress: IPAddress?
    public var advertisePort: UInt16
    /// Parsed `-memberlist.join` entries.
    public var joinMembers: [JoinSeed]
    /// `-memberlist.dns-resolv-conf` (ours): the resolv.conf join lookups read.
    public var dnsResolvConfPath: String
    /// Join retry schedule (dskit-kv-ring.md §4, "Full join").
    public var minJoinBackoff: Duration
    public var maxJoinBackoff: Duration
    public var maxJoinRetries: Int
    public var abortIfJoinFails: Bool
    /// Fast join at start (dskit-kv-ring.md §4 phase 1): members it must reach,
    /// and whether reaching fewer stops the process.
    public var fastJoinMinNodes: Int
    public var abortIfFastJoinFails: Bool
    /// Rejoin (§4 phase 3): zero = off; seeds = `rejoinSeedNodes`, else `joinMembers`.
    public var rejoinInterval: Duration
    public var rejoinSeedNodes: [JoinSeed]
    /// Outgoing compression algorithm (`-memberlist.compression-algorithm`).
    public var compressionAlgorithm: CompressionAlgorithm
    /// `-memberlist.received-messages-queue-size`: memberlist's handoff queue
    /// depth. This node decodes and applies every inbound message on the loop
    /// as it arrives, so there is no handoff queue for it to bound; kept for
    /// `-print.config` and a future queue.
    public var receivedMessagesQueueSize: Int
    /// `-memberlist.transport-debug`: log every packet and stream at the transport.
    public var transportDebug: Bool
    public var zoneAwareRouting: ZoneAwareRouting
    /// The KV store's settings (applied by the KV store).
    public var kvStore: KVStoreSettings
    /// Pyroscope's `server:` keys.
    public var server: ServerSettings
    /// Stream deadline (`-memberlist.stream-timeout`).
    public var streamTimeout: Duration
    public var packetWriters: PacketWriterSettings
    public var leaveTimeout: Duration
    public var tls: TLSSettings
    /// The keyring file to read at start; nil = no encryption.
    public var encryptionKeyFile: String?
    public var logLevel: LogLevel
    /// `-memberlistd.stdin-commands`.
    public var stdinCommands: Bool
    /// This node's own ring instance (`-memberlistd.ring.*`).
    public var ring = RingSettings()
    /// The sidecar API listener (`-sidecar.listen-address`); nil = off.
    public var sidecarListenAddress: SidecarListenAddress?

    /// dskit's UDPBufferSize when it runs memberlist over its TCP transport: 10 MiB.
    public static let dskitPacketBudget = 10 * 1024 * 1024

    /// The defaults: the catalog's (`FlagCatalog`), no flag or file given.
    public init() {
        // The catalog's defaults are valid (CatalogTests); `unset` only satisfies the compiler.
        self = (try? NodeConfig(settings: SettingValues())) ?? NodeConfig(unset: ())
    }

    /// Neutral values that `init(settings:)` overwrites field by field; not defaults.
    init(unset: ()) {
        membership = MembershipConfig.lan
        nodeName = ""
        randomizeNodeName = false
        transport = .tcp
        bindAddresses = []
        bindPort = 0
        advertiseAddress = nil
        advertisePort = 0
        joinMembers = []
        dnsResolvConfPath = ""
        minJoinBackoff = .zero
        maxJoinBackoff = .zero
        maxJoinRetries = 0
        abortIfJoinFails = false
        fastJoinMinNodes = 0
        abortIfFastJoinFails = false
        rejoinInterval = .zero
        rejoinSeedNodes = []
        compressionAlgorithm = .lzw
        receivedMessagesQueueSize = 0
        transportDebug = false
        zoneAwareRouting = ZoneAwareRouting()
        kvStore = KVStoreSettings()
        server = ServerSettings()
        streamTimeout = .zero
        packetWriters = PacketWriterSettings()
        leaveTimeout = .zero
        tls = TLSSettings()
        encryptionKeyFile = nil
        logLevel = .info
        stdinCommands = false
    }

    /// The address to listen on (first bind address, else 0.0.0.0).
    public var bindAddress: IPAddress { bindAddresses.first ?? IPAddress(0, 0, 0, 0) }

    /// Bytes `resolvingNodeName` appends when randomizing: `-` and 8 hex digits.
    public static let randomNodeNameSuffixLength = 9

    /// The node name: `-memberlist.nodename` or `hostname`, plus `-` and 8
    /// lowercase hex digits of `randomSuffix` when randomizing (dskit-kv-ring.md §3.7).
    public func resolvingNodeName(hostname: String, randomSuffix: UInt32) -> NodeConfig {
        var copy = self
        var name = nodeName.isEmpty ? hostname : nodeName
        if randomizeNodeName {
            let hex = String(randomSuffix, radix: 16)
            name += "-" + String(repeating: "0", count: 8 - hex.count) + hex
        }
        copy.membership.name = name
        return copy
    }

    /// memberlist settings the transport dictates. tcp: what dskit forces
    /// (dskit-kv-ring.md §1: ProbeInterval 5s, ProbeTimeout 2s, TCP pings off,
    /// UDPBufferSize 10 MiB, TCPTimeout = stream timeout). udp: memberlist's LAN
    /// defaults (TCPTimeout 10s unless `-memberlist.stream-timeout` is given).
    mutating func applyTransportDefaults(streamTimeoutGiven: Bool) {
        switch transport {
        case .tcp:
            membership.probeInterval = .seconds(5)
            membership.probeTimeout = .seconds(2)
            membership.disableTcpPings = true
            membership.udpBufferSize = Self.dskitPacketBudget
            membership.tcpTimeout = streamTimeout
        case .udp:
            let lan = MembershipConfig.lan
            membership.probeInterval = lan.probeInterval
            membership.probeTimeout = lan.probeTimeout
            membership.disableTcpPings = lan.disableTcpPings
            membership.udpBufferSize = lan.udpBufferSize
            membership.tcpTimeout = streamTimeoutGiven ? streamTimeout : lan.tcpTimeout
        }
    }
}
