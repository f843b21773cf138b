import Membership
import Wire

/// Everything a memberlistd node needs, validated: the memberlist settings
/// (`membership`, with the transport's forced values already applied) plus
/// what only the runtime uses. Built from flags by `NodeConfig.parse(_:)`.
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
    /// The admin HTTP listener and metric names (`NodeConfig+Server.swift`).
    public var server = AdminServerSettings()

    /// dskit's UDPBufferSize when it runs memberlist over its TCP transport: 10 MiB.
    public static let dskitPacketBudget = 10 * 1024 * 1024

    /// The defaults: no flags given.
    public init() {
        membership = MembershipConfig.lan
        nodeName = ""
        randomizeNodeName = true
        transport = .tcp
        bindAddresses = []
        bindPort = 7946
        advertiseAddress = nil
        advertisePort = 7946
        joinMembers = []
        dnsResolvConfPath = "/etc/resolv.conf"
        minJoinBackoff = .seconds(1)
        maxJoinBackoff = .seconds(60)
        maxJoinRetries = 10
        abortIfJoinFails = false
        streamTimeout = .seconds(2)
        packetWriters = PacketWriterSettings()
        leaveTimeout = .seconds(20)
        tls = TLSSettings()
        encryptionKeyFile = nil
        logLevel = .info
        stdinCommands = false
        applyTransportDefaults(streamTimeoutGiven: false)
    }

    /// The address to listen on (first bind address, else 0.0.0.0).
    public var bindAddress: IPAddress { bindAddresses.first ?? IPAddress(0, 0, 0, 0) }

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
