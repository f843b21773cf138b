import Membership
import Wire

extension NodeConfig {
    /// Parses and validates a command line (without the program name).
    /// Throws `ConfigError.helpRequested` for `-help`/`-h`.
    public static func parse(_ arguments: [String]) throws(ConfigError) -> NodeConfig {
        let flags = try FlagParser(definitions: FlagCatalog.definitions).parse(arguments)
        return try NodeConfig(flags: flags)
    }

    /// Builds the configuration from parsed flags, checking every value.
    public init(flags: ParsedFlags) throws(ConfigError) {
        self.init()
        transport = TransportKind(rawValue: try flags.choice("memberlist.transport",
                                                             TransportKind.allCases.map(\.rawValue),
                                                             default: "tcp")) ?? .tcp
        nodeName = flags.string("memberlist.nodename", default: "")
        randomizeNodeName = try flags.bool("memberlist.randomize-node-name", default: true)

        bindAddresses = []
        for text in flags.list("memberlist.bind-addr") {
            guard let address = IPAddress(parsing: text) else {
                throw .invalidValue(flag: "memberlist.bind-addr", value: text,
                                    expected: "IP addresses such as 0.0.0.0, 10.0.0.1 or ::")
            }
            bindAddresses.append(address)
        }
        bindPort = UInt16(try flags.int("memberlist.bind-port", default: 7946, min: 0, max: 65535))
        advertiseAddress = try flags.ipAddress("memberlist.advertise-addr")
        advertisePort = UInt16(try flags.int("memberlist.advertise-port", default: 7946, min: 1, max: 65535))

        joinMembers = []
        for entry in flags.list("memberlist.join") {
            switch JoinSeed.parse(entry) {
            case .success(let seed): joinMembers.append(seed)
            case .failure(let error):
                throw .invalidValue(flag: "memberlist.join", value: entry, expected: error.description)
            }
        }
        dnsResolvConfPath = flags.string("memberlist.dns-resolv-conf", default: "/etc/resolv.conf")
        minJoinBackoff = try flags.duration("memberlist.min-join-backoff", default: .seconds(1))
        maxJoinBackoff = try flags.duration("memberlist.max-join-backoff", default: .seconds(60))
        maxJoinRetries = try flags.int("memberlist.max-join-retries", default: 10, min: 0)
        abortIfJoinFails = try flags.bool("memberlist.abort-if-join-fails", default: false)
        if maxJoinBackoff < minJoinBackoff {
            throw .inconsistent(flag: "memberlist.max-join-backoff",
                                reason: "must not be shorter than -memberlist.min-join-backoff")
        }

        membership.gossipInterval = try flags.duration("memberlist.gossip-interval", default: .milliseconds(200))
        membership.gossipNodes = try flags.int("memberlist.gossip-nodes", default: 3, min: 1)
        membership.pushPullInterval = try flags.duration("memberlist.pullpush-interval", default: .seconds(30))
        membership.retransmitMult = try flags.int("memberlist.retransmit-factor", default: 4, min: 1)
        membership.gossipToTheDeadTime = try flags.duration("memberlist.gossip-to-dead-nodes-time",
                                                            default: .seconds(30))
        membership.deadNodeReclaimTime = try flags.duration("memberlist.dead-node-reclaim-time", default: .zero)
        membership.enableCompression = try flags.bool("memberlist.compression-enabled", default: true)
        membership.handoffQueueDepth = try flags.int("memberlist.received-messages-queue-size", default: 1024, min: 1)
        membership.suspicionMult = try flags.int("memberlist.suspicion-mult", default: 4, min: 1)
        if membership.gossipInterval == .zero {
            throw .invalidValue(flag: "memberlist.gossip-interval", value: "0s",
                                expected: "a positive duration such as 200ms")
        }

        let label = flags.string("memberlist.cluster-label", default: "")
        guard label.utf8.count <= 255 else {
            throw .invalidValue(flag: "memberlist.cluster-label", value: label,
                                expected: "a label of at most 255 bytes")
        }
        membership.label = label
        membership.skipInboundLabelCheck = try flags.bool("memberlist.cluster-label-verification-disabled",
                                                          default: false)

        streamTimeout = try flags.duration("memberlist.stream-timeout", default: .seconds(2))
        if streamTimeout == .zero {
            throw .invalidValue(flag: "memberlist.stream-timeout", value: "0s",
                                expected: "a positive duration such as 2s")
        }
        packetWriters.dialTimeout = try flags.duration("memberlist.packet-dial-timeout", default: .seconds(2))
        packetWriters.writeTimeout = try flags.duration("memberlist.packet-write-timeout", default: .seconds(5))
        packetWriters.maxConcurrentWrites = max(1, try flags.int("memberlist.max-concurrent-writes", default: 3))
        packetWriters.acquireWriterTimeout = try flags.duration("memberlist.acquire-writer-timeout",
                                                                default: .milliseconds(250))
        leaveTimeout = try flags.duration("memberlist.leave-timeout", default: .seconds(20))

        try readTLS(flags)

        let keyFile = flags.string("memberlist.encryption-key-file", default: "")
        encryptionKeyFile = keyFile.isEmpty ? nil : keyFile
        logLevel = LogLevel(rawValue: try flags.choice("log.level", LogLevel.allCases.map(\.rawValue),
                                                       default: "info")) ?? .info
        stdinCommands = try flags.bool("memberlistd.stdin-commands", default: false)
        server = try AdminServerSettings(flags: flags)

        applyTransportDefaults(streamTimeoutGiven: flags.isSet("memberlist.stream-timeout"))
        if let probe = flags.last("memberlist.probe-interval") {
            membership.probeInterval = try flags.duration("memberlist.probe-interval", default: .seconds(1))
            if membership.probeInterval == .zero {
                throw .invalidValue(flag: "memberlist.probe-interval", value: probe,
                                    expected: "a positive duration such as 1s")
            }
        }
        if flags.isSet("memberlist.probe-timeout") {
            membership.probeTimeout = try flags.duration("memberlist.probe-timeout", default: .milliseconds(500))
        }
        if membership.probeTimeout > membership.probeInterval {
            throw .inconsistent(flag: "memberlist.probe-timeout",
                                reason: "\(GoDuration.format(membership.probeTimeout)) is longer than the probe interval \(GoDuration.format(membership.probeInterval))")
        }
    }

    private mutating func readTLS(_ flags: ParsedFlags) throws(ConfigError) {
        tls.enabled = try flags.bool("memberlist.tls-enabled", default: false)
        tls.certificatePath = flags.string("memberlist.tls-cert-path", default: "")
        tls.keyPath = flags.string("memberlist.tls-key-path", default: "")
        tls.caPath = flags.string("memberlist.tls-ca-path", default: "")
        tls.serverName = flags.string("memberlist.tls-server-name", default: "")
        tls.insecureSkipVerify = try flags.bool("memberlist.tls-insecure-skip-verify", default: false)
        tls.cipherSuites = flags.list("memberlist.tls-cipher-suites")
        tls.minVersion = try flags.choice("memberlist.tls-min-version", TLSSettings.minVersionNames, default: "")
        tls.requireClientCertificate = try flags.bool("memberlist.tls-require-client-cert", default: false)
        if tls.certificatePath.isEmpty != tls.keyPath.isEmpty {
            let missing = tls.certificatePath.isEmpty ? "memberlist.tls-cert-path" : "memberlist.tls-key-path"
            throw .inconsistent(flag: missing, reason: "certificate and key must be given together")
        }
        guard tls.enabled else { return }
        if transport == .udp {
            throw .inconsistent(flag: "memberlist.tls-enabled",
                                reason: "TLS needs the tcp transport (-memberlist.transport=tcp)")
        }
        if tls.requireClientCertificate && tls.caPath.isEmpty {
            throw .inconsistent(flag: "memberlist.tls-require-client-cert",
                                reason: "needs -memberlist.tls-ca-path to verify client certificates")
        }
        if tls.requireClientCertificate && tls.certificatePath.isEmpty {
            throw .inconsistent(flag: "memberlist.tls-require-client-cert",
                                reason: "needs -memberlist.tls-cert-path and -memberlist.tls-key-path, which are also the client certificate")
        }
    }
}
