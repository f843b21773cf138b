import Membership
import Wire

/// The result of reading a command line (and the config file it names).
public struct LoadedConfig: Sendable {
    public var config: NodeConfig
    /// The merged typed values (`settings.yaml` is `-print.config`'s output).
    public var settings: SettingValues
    /// One line per skipped Pyroscope block of the config file.
    public var warnings: [String]
    /// `-print.config` was given: print `settings.yaml` and exit 0.
    public var printConfig: Bool
}

extension NodeConfig {
    /// Parses and validates a command line (without the program name); a
    /// `-config.file` is not read here (use `load`). Throws
    /// `ConfigError.helpRequested` for `-help`/`-h`.
    public static func parse(_ arguments: [String]) throws(ConfigError) -> NodeConfig {
        try load(arguments, environment: { _ in nil }, readFile: { path in
            .failure(.unreadableFile(path: path, reason: "config files are read by NodeConfig.load"))
        }).config
    }

    /// Reads the command line, then the `-config.file` it names (through
    /// `readFile`, env-expanded with `environment` under `-config.expand-env`),
    /// merging catalog defaults < file < flags, and validates the result. An
    /// error about a value from the file names the file, line, column and key.
    public static func load(_ arguments: [String], environment: (String) -> String?,
                            readFile: (String) -> Result<String, ConfigError>) throws(ConfigError) -> LoadedConfig {
        let flags = try FlagParser(definitions: FlagCatalog.definitions).parse(arguments)
        var flagSettings = SettingValues()
        try flagSettings.apply(flags)
        var settings = SettingValues()
        var warnings: [String] = []
        let path = flagSettings.string("config.file")
        if !path.isEmpty {
            var text = try readFile(path).get()
            if flagSettings.bool("config.expand-env") {
                text = EnvironmentExpansion.expand(text, lookup: environment)
            }
            warnings = try ConfigFile.apply(text, path: path, to: &settings)
        }
        try settings.apply(flags)
        let config: NodeConfig
        do { config = try NodeConfig(settings: settings) } catch { throw error.located(by: settings) }
        return LoadedConfig(config: config, settings: settings, warnings: warnings,
                            printConfig: settings.bool("print.config"))
    }

    /// Builds the configuration from typed settings, checking what the kinds
    /// alone cannot (addresses, join entries, combinations).
    public init(settings: SettingValues) throws(ConfigError) {
        self.init(unset: ())
        transport = TransportKind(rawValue: settings.string("memberlist.transport")) ?? .tcp
        nodeName = settings.string("memberlist.nodename")
        randomizeNodeName = settings.bool("memberlist.randomize-node-name")
        // Peers refuse a message whose node name is longer than WireLimits.maxNodeNameLength
        // (issue #12), so a longer name of our own would keep this node out of the cluster.
        let nameLimit = WireLimits.maxNodeNameLength - (randomizeNodeName ? Self.randomNodeNameSuffixLength : 0)
        guard nodeName.utf8.count <= nameLimit else {
            throw .invalidValue(flag: "memberlist.nodename", value: nodeName,
                                expected: randomizeNodeName
                                    ? "a name of at most \(nameLimit) bytes (peers accept \(WireLimits.maxNodeNameLength); -memberlist.randomize-node-name adds \(Self.randomNodeNameSuffixLength))"
                                    : "a name of at most \(nameLimit) bytes")
        }

        bindAddresses = []
        for text in settings.list("memberlist.bind-addr") {
            guard let address = IPAddress(parsing: text) else {
                throw .invalidValue(flag: "memberlist.bind-addr", value: text,
                                    expected: "IP addresses such as 0.0.0.0, 10.0.0.1 or ::")
            }
            bindAddresses.append(address)
        }
        bindPort = UInt16(clamping: settings.int("memberlist.bind-port"))
        advertiseAddress = try Self.ipAddress(settings, "memberlist.advertise-addr")
        advertisePort = UInt16(clamping: settings.int("memberlist.advertise-port"))

        joinMembers = try Self.joinSeeds(settings, "memberlist.join")
        rejoinSeedNodes = try Self.joinSeeds(settings, "memberlist.rejoin-seed-nodes")
        dnsResolvConfPath = settings.string("memberlist.dns-resolv-conf")
        rejoinInterval = settings.duration("memberlist.rejoin-interval")
        minJoinBackoff = settings.duration("memberlist.min-join-backoff")
        maxJoinBackoff = settings.duration("memberlist.max-join-backoff")
        maxJoinRetries = settings.int("memberlist.max-join-retries")
        abortIfJoinFails = settings.bool("memberlist.abort-if-join-fails")
        abortIfFastJoinFails = settings.bool("memberlist.abort-if-fast-join-fails")
        fastJoinMinNodes = settings.int("memberlist.abort-if-fast-join-fails-min-nodes")
        if maxJoinBackoff < minJoinBackoff {
            throw .inconsistent(flag: "memberlist.max-join-backoff",
                                reason: "must not be shorter than -memberlist.min-join-backoff")
        }

        membership.gossipInterval = settings.duration("memberlist.gossip-interval")
        membership.gossipNodes = settings.int("memberlist.gossip-nodes")
        membership.pushPullInterval = settings.duration("memberlist.pullpush-interval")
        membership.retransmitMult = settings.int("memberlist.retransmit-factor")
        membership.gossipToTheDeadTime = settings.duration("memberlist.gossip-to-dead-nodes-time")
        membership.deadNodeReclaimTime = settings.duration("memberlist.dead-node-reclaim-time")
        membership.enableCompression = settings.bool("memberlist.compression-enabled")
        compressionAlgorithm = settings.string("memberlist.compression-algorithm") == "snappy" ? .snappy : .lzw
        receivedMessagesQueueSize = settings.int("memberlist.received-messages-queue-size")
        membership.suspicionMult = settings.int("memberlist.suspicion-mult")
        membership.eagerDissemination = settings.bool("memberlist.eager-dissemination")
        if membership.gossipInterval == .zero {
            throw .invalidValue(flag: "memberlist.gossip-interval", value: "0s",
                                expected: "a positive duration such as 200ms")
        }

        let label = settings.string("memberlist.cluster-label")
        guard label.utf8.count <= 255 else {
            throw .invalidValue(flag: "memberlist.cluster-label", value: label,
                                expected: "a label of at most 255 bytes")
        }
        membership.label = label
        membership.skipInboundLabelCheck = settings.bool("memberlist.cluster-label-verification-disabled")

        streamTimeout = settings.duration("memberlist.stream-timeout")
        if streamTimeout == .zero {
            throw .invalidValue(flag: "memberlist.stream-timeout", value: "0s",
                                expected: "a positive duration such as 2s")
        }
        packetWriters.dialTimeout = settings.duration("memberlist.packet-dial-timeout")
        packetWriters.writeTimeout = settings.duration("memberlist.packet-write-timeout")
        packetWriters.maxConcurrentWrites = max(1, settings.int("memberlist.max-concurrent-writes"))
        packetWriters.acquireWriterTimeout = settings.duration("memberlist.acquire-writer-timeout")
        leaveTimeout = settings.duration("memberlist.leave-timeout")
        transportDebug = settings.bool("memberlist.transport-debug")

        try readTLS(settings)
        try readZoneAwareRouting(settings)
        try readKVStore(settings)
        try readRing(settings)
        try readServer(settings)
        sidecarListenAddress = try SidecarListenAddress.parse(settings.string("sidecar.listen-address")).get()

        let keyFile = settings.string("memberlist.encryption-key-file")
        encryptionKeyFile = keyFile.isEmpty ? nil : keyFile
        logLevel = LogLevel(rawValue: settings.string("log.level")) ?? .info
        stdinCommands = settings.bool("memberlistd.stdin-commands")

        applyTransportDefaults(streamTimeoutGiven: settings.isGiven("memberlist.stream-timeout"))
        if settings.isGiven("memberlist.probe-interval") {
            membership.probeInterval = settings.duration("memberlist.probe-interval")
            if membership.probeInterval == .zero {
                throw .invalidValue(flag: "memberlist.probe-interval", value: "0s",
                                    expected: "a positive duration such as 1s")
            }
        }
        if settings.isGiven("memberlist.probe-timeout") {
            membership.probeTimeout = settings.duration("memberlist.probe-timeout")
        }
        if membership.probeTimeout > membership.probeInterval {
            throw .inconsistent(flag: "memberlist.probe-timeout",
                                reason: "\(GoDuration.format(membership.probeTimeout)) is longer than the probe interval \(GoDuration.format(membership.probeInterval))")
        }
    }

    /// An IP literal (IPv4 or IPv6), or nil when empty.
    private static func ipAddress(_ settings: SettingValues, _ name: String) throws(ConfigError) -> IPAddress? {
        let text = settings.string(name)
        guard !text.isEmpty else { return nil }
        guard let address = IPAddress(parsing: text) else {
            throw .invalidValue(flag: name, value: text, expected: "an IP address such as 10.0.0.1 or fd00::1")
        }
        return address
    }

    private static func joinSeeds(_ settings: SettingValues, _ name: String) throws(ConfigError) -> [JoinSeed] {
        var seeds: [JoinSeed] = []
        for entry in settings.list(name) {
            switch JoinSeed.parse(entry) {
            case .success(let seed): seeds.append(seed)
            case .failure(let error): throw .invalidValue(flag: name, value: entry, expected: error.description)
            }
        }
        return seeds
    }

    private mutating func readZoneAwareRouting(_ settings: SettingValues) throws(ConfigError) {
        zoneAwareRouting.enabled = settings.bool("memberlist.zone-aware-routing.enabled")
        zoneAwareRouting.zone = settings.string("memberlist.zone-aware-routing.instance-availability-zone")
        zoneAwareRouting.role = ZoneRouting.Role(name: settings.string("memberlist.zone-aware-routing.role")) ?? .member
        guard zoneAwareRouting.zone.utf8.count <= ZoneRouting.maxZoneLength else {
            throw .invalidValue(flag: "memberlist.zone-aware-routing.instance-availability-zone",
                                value: zoneAwareRouting.zone, expected: "a zone name of at most 16 bytes")
        }
        if zoneAwareRouting.enabled && zoneAwareRouting.zone.isEmpty {
            throw .inconsistent(flag: "memberlist.zone-aware-routing.enabled",
                                reason: "needs the zone (-memberlist.zone-aware-routing.instance-availability-zone)")
        }
        membership.zoneRouting = zoneAwareRouting.routing
    }

    /// The admin listener and the metric prefix.
    private mutating func readServer(_ settings: SettingValues) throws(ConfigError) {
        server.httpListenAddress = try Self.ipAddress(settings, "server.http-listen-address")
        server.httpListenPort = UInt16(clamping: settings.int("server.http-listen-port"))
        let prefix = settings.string("metrics.prefix")
        let valid = prefix.utf8.enumerated().allSatisfy { index, byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"),
                 UInt8(ascii: ":"):
                return true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return index > 0
            default:
                return false
            }
        }
        guard valid else {
            throw .invalidValue(flag: "metrics.prefix", value: prefix,
                                expected: "a Prometheus metric name prefix such as pyroscope ([a-zA-Z_:][a-zA-Z0-9_:]*, or empty)")
        }
        server.metricsPrefix = prefix
    }

    /// `-memberlistd.ring.*`: this node's own ring instance (ours).
    private mutating func readRing(_ settings: SettingValues) throws(ConfigError) {
        ring.key = settings.string("memberlistd.ring.key")
        ring.instanceID = settings.string("memberlistd.ring.instance-id")
        ring.numTokens = settings.int("memberlistd.ring.num-tokens")
        ring.heartbeatPeriod = settings.duration("memberlistd.ring.heartbeat-period")
        ring.heartbeatTimeout = settings.duration("memberlistd.ring.heartbeat-timeout")
        if ring.isEnabled && ring.heartbeatTimeout == .zero {
            throw .invalidValue(flag: "memberlistd.ring.heartbeat-timeout", value: "0s",
                                expected: "a positive duration such as 1m (dskit rejects 0)")
        }
    }

    private mutating func readKVStore(_ settings: SettingValues) throws(ConfigError) {
        kvStore.notifyInterval = settings.duration("memberlist.notify-interval")
        kvStore.processedMessagesQueueSize = settings.int("memberlist.processed-messages-queue-size")
        kvStore.leftIngestersTimeout = settings.duration("memberlist.left-ingesters-timeout")
        kvStore.obsoleteEntriesTimeout = settings.duration("memberlist.obsolete-entries-timeout")
        kvStore.broadcastTimeoutForLocalUpdatesOnShutdown =
            settings.duration("memberlist.broadcast-timeout-for-local-updates-on-shutdown")
        kvStore.messageHistoryBufferBytes = settings.int("memberlist.message-history-buffer-bytes")
        kvStore.watchPrefixBufferSize = settings.int("memberlist.watch-prefix-buffer-size")
        kvStore.propagationDelayTracker.enabled = settings.bool("memberlist.propagation-delay-tracker.enabled")
        kvStore.propagationDelayTracker.beaconInterval =
            settings.duration("memberlist.propagation-delay-tracker.beacon-interval")
        kvStore.propagationDelayTracker.beaconLifetime =
            settings.duration("memberlist.propagation-delay-tracker.beacon-lifetime")
        kvStore.propagationDelayTracker.logBeaconsLatencyLongerThan =
            settings.duration("memberlist.propagation-delay-tracker.log-beacons-latency-longer-than")
        // dskit draws the first tick in (0, interval]: an enabled tracker needs an interval.
        if kvStore.propagationDelayTracker.enabled && kvStore.propagationDelayTracker.beaconInterval <= .zero {
            throw .invalidValue(flag: "memberlist.propagation-delay-tracker.beacon-interval", value: "0s",
                                expected: "a positive duration such as 1m while the tracker is enabled")
        }
    }

    private mutating func readTLS(_ settings: SettingValues) throws(ConfigError) {
        tls.enabled = settings.bool("memberlist.tls-enabled")
        tls.certificatePath = settings.string("memberlist.tls-cert-path")
        tls.keyPath = settings.string("memberlist.tls-key-path")
        tls.caPath = settings.string("memberlist.tls-ca-path")
        tls.serverName = settings.string("memberlist.tls-server-name")
        tls.insecureSkipVerify = settings.bool("memberlist.tls-insecure-skip-verify")
        tls.cipherSuites = settings.list("memberlist.tls-cipher-suites")
        tls.minVersion = settings.string("memberlist.tls-min-version")
        tls.requireClientCertificate = settings.bool("memberlist.tls-require-client-cert")
        tls.persistentConnections = settings.bool("memberlist.tls-persistent-connections")
        tls.sessionCacheSize = settings.int("memberlist.tls-session-cache-size")
        tls.reloadInterval = settings.duration("memberlist.tls-reload-interval")
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
