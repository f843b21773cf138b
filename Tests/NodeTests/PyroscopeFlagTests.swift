import Config
import Membership
import Testing
import Wire

/// Every `-memberlist.*` flag Pyroscope documents (dskit-kv-ring.md §8, the
/// table row by row plus the flag-only `transport-debug`), with its type and
/// default, is in `-help` and is what the catalog parses.
@Suite struct PyroscopeFlagTests {
    /// (flag without `-memberlist.`, help type word, default as the spec writes it).
    static let pyroscope: [(name: String, type: String, value: String)] = [
        ("nodename", "string", ""), ("randomize-node-name", "bool", "true"), ("stream-timeout", "duration", "2s"),
        ("retransmit-factor", "int", "4"), ("pullpush-interval", "duration", "30s"),
        ("gossip-interval", "duration", "200ms"), ("gossip-nodes", "int", "3"),
        ("gossip-to-dead-nodes-time", "duration", "30s"), ("dead-node-reclaim-time", "duration", "0s"),
        ("compression-enabled", "bool", "true"), ("notify-interval", "duration", "0s"),
        ("received-messages-queue-size", "int", "1024"), ("processed-messages-queue-size", "int", "1024"),
        ("compression-algorithm", "string", "lzw"), ("advertise-addr", "string", ""), ("advertise-port", "int", "7946"),
        ("cluster-label", "string", ""), ("cluster-label-verification-disabled", "bool", "false"),
        ("join", "list", ""), ("min-join-backoff", "duration", "1s"), ("max-join-backoff", "duration", "1m"),
        ("max-join-retries", "int", "10"), ("abort-if-fast-join-fails", "bool", "false"),
        ("abort-if-fast-join-fails-min-nodes", "int", "1"), ("abort-if-join-fails", "bool", "false"),
        ("rejoin-interval", "duration", "0s"), ("rejoin-seed-nodes", "list", ""),
        ("left-ingesters-timeout", "duration", "5m"), ("obsolete-entries-timeout", "duration", "30s"),
        ("leave-timeout", "duration", "20s"), ("broadcast-timeout-for-local-updates-on-shutdown", "duration", "10s"),
        ("message-history-buffer-bytes", "int", "0"), ("watch-prefix-buffer-size", "int", "128"),
        ("bind-addr", "list", ""), ("bind-port", "int", "7946"), ("packet-dial-timeout", "duration", "2s"),
        ("packet-write-timeout", "duration", "5s"), ("max-concurrent-writes", "int", "3"),
        ("acquire-writer-timeout", "duration", "250ms"), ("tls-enabled", "bool", "false"),
        ("tls-cert-path", "string", ""), ("tls-key-path", "string", ""), ("tls-ca-path", "string", ""),
        ("tls-server-name", "string", ""), ("tls-insecure-skip-verify", "bool", "false"),
        ("tls-cipher-suites", "string", ""), ("tls-min-version", "string", ""),
        ("zone-aware-routing.enabled", "bool", "false"), ("zone-aware-routing.instance-availability-zone", "string", ""),
        ("zone-aware-routing.role", "string", "member"), ("propagation-delay-tracker.enabled", "bool", "false"),
        ("propagation-delay-tracker.beacon-interval", "duration", "1m"),
        ("propagation-delay-tracker.beacon-lifetime", "duration", "10m"),
        ("propagation-delay-tracker.log-beacons-latency-longer-than", "duration", "0s"),
        ("transport-debug", "bool", "false"),
    ]

    /// `-help`'s entry for `-name`: (type word, default text or "").
    static func helpEntry(_ name: String) -> (type: String, value: String)? {
        let lines = FlagCatalog.usage.split(separator: "\n").map(String.init)
        for (index, line) in lines.enumerated() where index + 1 < lines.count {
            let words = line.split(separator: " ").map(String.init)
            guard words.first == "-" + name else { continue }
            let type = words.count > 1 ? words[1] : "bool"
            var value = ""
            let text = lines[index + 1], marker = "(default "
            if text.hasSuffix(")"), let start = text.indices.last(where: { text[$0...].hasPrefix(marker) }) {
                value = String(text[text.index(start, offsetBy: marker.count)...].dropLast())
            }
            return (type, value)
        }
        return nil
    }

    @Test func helpListsEveryPyroscopeFlagWithTypeAndDefault() throws {
        #expect(Self.pyroscope.count == 55)
        #expect(Set(Self.pyroscope.map(\.name)).count == Self.pyroscope.count)
        for flag in Self.pyroscope {
            let name = "memberlist." + flag.name
            guard let entry = Self.helpEntry(name) else {
                Issue.record("-\(name) is not in -help")
                continue
            }
            #expect(entry.type == flag.type, "-\(name) type")
            // Same typed value: 1m and 1m0s are the same duration.
            let definition = try #require(FlagCatalog.definitions.first { $0.name == name })
            if flag.value.isEmpty {
                #expect(entry.value.isEmpty, "-\(name) shows default \(entry.value)")
            } else {
                #expect(definition.kind.parse(flag.value) == definition.defaultValue, "-\(name) default")
                #expect(definition.kind.parse(entry.value) == definition.defaultValue, "-\(name) help default")
            }
        }
        let helpFlags = FlagCatalog.usage.split(separator: "\n").filter { $0.hasPrefix("  -memberlist.") }
        let ours = FlagCatalog.definitions.filter { $0.usage.hasPrefix("(ours)") && $0.name.hasPrefix("memberlist.") }
        #expect(helpFlags.count == Self.pyroscope.count + ours.count)
    }

    @Test func everyDefaultHasItsKindAndTheDefaultsBuildAConfig() throws {
        for definition in FlagCatalog.definitions {
            let matches: Bool = switch (definition.kind, definition.defaultValue) {
            case (.bool, .bool), (.int, .int), (.duration, .duration), (.string, .string), (.choice, .string),
                 (.list, .list): true
            default: false
            }
            #expect(matches, "\(definition.name): default \(definition.defaultValue) is not a \(definition.kind)")
        }
        let names = FlagCatalog.definitions.map(\.name)
        #expect(Set(names).count == names.count, "a flag is defined twice")
        let keys = FlagCatalog.definitions.compactMap(\.yamlKey)
        #expect(Set(keys).count == keys.count, "a YAML key is defined twice")
        _ = try NodeConfig(settings: SettingValues())
        #expect(NodeConfig() == (try NodeConfig.parse([])))
    }

    @Test func kvZoneAndServerFlagsAreParsedAndStored() throws {
        let config = try NodeConfig.parse([
            "-memberlist.notify-interval=2s", "-memberlist.left-ingesters-timeout=7m",
            "-memberlist.obsolete-entries-timeout=1m", "-memberlist.message-history-buffer-bytes=4096",
            "-memberlist.watch-prefix-buffer-size=64", "-memberlist.broadcast-timeout-for-local-updates-on-shutdown=0s",
            "-memberlist.processed-messages-queue-size=10", "-memberlist.propagation-delay-tracker.enabled",
            "-memberlist.propagation-delay-tracker.beacon-interval=30s",
            "-memberlist.propagation-delay-tracker.beacon-lifetime=5m",
            "-memberlist.propagation-delay-tracker.log-beacons-latency-longer-than=3s",
            "-memberlist.zone-aware-routing.enabled", "-memberlist.zone-aware-routing.instance-availability-zone=eu-1a",
            "-memberlist.zone-aware-routing.role=bridge", "-memberlist.compression-algorithm=snappy",
            "-memberlist.transport-debug", "-memberlist.rejoin-interval=1m", "-memberlist.rejoin-seed-nodes=10.0.0.9",
            "-memberlist.abort-if-fast-join-fails", "-memberlist.abort-if-fast-join-fails-min-nodes=2",
            "-server.http-listen-address=127.0.0.1", "-server.http-listen-port=8080",
        ])
        #expect(config.kvStore.notifyInterval == .seconds(2))
        #expect(config.kvStore.leftIngestersTimeout == .seconds(420))
        #expect(config.kvStore.obsoleteEntriesTimeout == .seconds(60))
        #expect(config.kvStore.messageHistoryBufferBytes == 4096)
        #expect(config.kvStore.watchPrefixBufferSize == 64)
        #expect(config.kvStore.broadcastTimeoutForLocalUpdatesOnShutdown == .zero)
        #expect(config.kvStore.processedMessagesQueueSize == 10)
        #expect(config.kvStore.propagationDelayTracker.enabled)
        #expect(config.kvStore.propagationDelayTracker.beaconInterval == .seconds(30))
        #expect(config.kvStore.propagationDelayTracker.beaconLifetime == .seconds(300))
        #expect(config.kvStore.propagationDelayTracker.logBeaconsLatencyLongerThan == .seconds(3))
        #expect(config.zoneAwareRouting == ZoneAwareRouting(enabled: true, zone: "eu-1a", role: .bridge))
        #expect(config.membership.zoneRouting?.encodedMeta == [1, 2, 5] + Array("eu-1a".utf8))
        #expect(config.compressionAlgorithm == .snappy && config.transportDebug)
        #expect(config.rejoinInterval == .seconds(60) && config.rejoinSeedNodes.map(\.description) == ["10.0.0.9:7946"])
        #expect(config.abortIfFastJoinFails && config.fastJoinMinNodes == 2)
        #expect(config.server.httpListenAddress == IPAddress(parsing: "127.0.0.1") && config.server.httpListenPort == 8080)
        let defaults = try NodeConfig.parse([])
        #expect(defaults.membership.zoneRouting == nil, "dskit's meta is empty unless zone-aware routing is on")
        #expect(defaults.server.httpListenPort == 4040 && defaults.kvStore.watchPrefixBufferSize == 128)
    }

    @Test func zoneAwareRoutingIsValidated() {
        #expect(throws: ConfigError.inconsistent(
            flag: "memberlist.zone-aware-routing.enabled",
            reason: "needs the zone (-memberlist.zone-aware-routing.instance-availability-zone)")) {
            try NodeConfig.parse(["-memberlist.zone-aware-routing.enabled"])
        }
        #expect(throws: ConfigError.invalidValue(flag: "memberlist.zone-aware-routing.instance-availability-zone",
                                                 value: "a-zone-name-longer-than-16", expected: "a zone name of at most 16 bytes")) {
            try NodeConfig.parse(["-memberlist.zone-aware-routing.instance-availability-zone=a-zone-name-longer-than-16"])
        }
        #expect(throws: ConfigError.invalidValue(flag: "memberlist.zone-aware-routing.role", value: "leader",
                                                 expected: "one of member, bridge")) {
            try NodeConfig.parse(["-memberlist.zone-aware-routing.role=leader"])
        }
        #expect(throws: ConfigError.invalidValue(flag: "memberlist.compression-algorithm", value: "gzip",
                                                 expected: "one of lzw, snappy")) {
            try NodeConfig.parse(["-memberlist.compression-algorithm=gzip"])
        }
    }
}
