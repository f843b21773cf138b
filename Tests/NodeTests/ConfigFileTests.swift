import Config
import Membership
import Testing
import Wire

/// The YAML config file (libyaml): Pyroscope's `memberlist:` block, the
/// `server:` keys, precedence defaults < file < flags, `-config.expand-env`,
/// one-line errors naming file, line, column, key and value, `-print.config`.
@Suite struct ConfigFileTests {
    /// Pyroscope's reference `memberlist:` block (dskit-kv-ring.md §8, every key)
    /// with non-default values.
    static let reference = """
        target: all
        server:
          http_listen_address: 10.0.0.5
          http_listen_port: 4100
        ingester:
          lifecycler:
            ring:
              kvstore:
                store: memberlist
        memberlist:
          node_name: pyro-1
          randomize_node_name: false
          stream_timeout: 3s
          retransmit_factor: 5
          pull_push_interval: 45s
          gossip_interval: 150ms
          gossip_nodes: 4
          gossip_to_dead_nodes_time: 40s
          dead_node_reclaim_time: 10s
          compression_enabled: false
          notify_interval: 100ms
          received_messages_queue_size: 512
          processed_messages_queue_size: 256
          compression_algorithm: snappy
          advertise_addr: 10.0.0.5
          advertise_port: 7947
          cluster_label: pyroscope-prod
          cluster_label_verification_disabled: true
          join_members:
            - 10.0.0.6:7946
            - seed.example:7000
          min_join_backoff: 2s
          max_join_backoff: 2m
          max_join_retries: 12
          abort_if_cluster_fast_join_fails: true
          abort_if_cluster_fast_join_fails_min_nodes: 2
          abort_if_cluster_join_fails: true
          rejoin_interval: 5m
          rejoin_seed_nodes: [10.0.0.7]
          left_ingesters_timeout: 6m
          obsolete_entries_timeout: 45s
          leave_timeout: 25s
          broadcast_timeout_for_local_updates_on_shutdown: 15s
          message_history_buffer_bytes: 65536
          watch_prefix_buffer_size: 256
          bind_addr: [10.0.0.5]
          bind_port: 7947
          packet_dial_timeout: 3s
          packet_write_timeout: 6s
          max_concurrent_writes: 5
          acquire_writer_timeout: 300ms
          tls_enabled: true
          tls_cert_path: /certs/tls.crt
          tls_key_path: /certs/tls.key
          tls_ca_path: /certs/ca.crt
          tls_server_name: memberlist.pyroscope
          tls_insecure_skip_verify: true
          tls_cipher_suites: TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384
          tls_min_version: VersionTLS12
          zone_aware_routing:
            enabled: true
            instance_availability_zone: zone-a
            role: bridge
          propagation_delay_tracker:
            enabled: true
            beacon_interval: 2m
            beacon_lifetime: 20m
            log_beacons_latency_longer_than: 5s

        """

    static func load(_ files: [String: String], _ arguments: [String],
                     environment: [String: String] = [:]) throws(ConfigError) -> LoadedConfig {
        try NodeConfig.load(arguments, environment: { environment[$0] }, readFile: { path in
            if let text = files[path] { return .success(text) }
            return .failure(.unreadableFile(path: path, reason: "No such file or directory"))
        })
    }

    /// The one-line error for a file, or nil when it loads.
    static func error(_ yaml: String, _ arguments: [String] = []) -> String? {
        do {
            _ = try load(["config.yaml": yaml], ["-config.file=config.yaml"] + arguments)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func pyroscopeServerKeysWeDoNotServeAreSkippedWithAWarning() throws {
        let yaml = "server:\n  http_listen_port: 4100\n  grpc_listen_port: 9095\n  log_level: debug\n"
        let loaded = try Self.load(["config.yaml": yaml], ["-config.file=config.yaml"])
        #expect(loaded.config.server.httpListenPort == 4100)
        let skip = "memberlistd serves only server.http_listen_address and server.http_listen_port"
        #expect(loaded.warnings == ["config.yaml:3:3: skipping server.grpc_listen_port: \(skip)",
                                    "config.yaml:4:3: skipping server.log_level: \(skip)"])
    }

    @Test func pyroscopeReferenceBlockLandsInNodeConfig() throws {
        let loaded = try Self.load(["pyroscope.yaml": Self.reference], ["-config.file=pyroscope.yaml"])
        let config = loaded.config
        #expect(loaded.warnings == ["pyroscope.yaml:1:1: skipping block target: memberlistd reads only memberlist: and server:",
                                    "pyroscope.yaml:5:1: skipping block ingester: memberlistd reads only memberlist: and server:"])
        #expect(config.nodeName == "pyro-1" && config.randomizeNodeName == false)
        #expect(config.streamTimeout == .seconds(3) && config.membership.tcpTimeout == .seconds(3))
        #expect(config.membership.retransmitMult == 5)
        #expect(config.membership.pushPullInterval == .seconds(45))
        #expect(config.membership.gossipInterval == .milliseconds(150))
        #expect(config.membership.gossipNodes == 4)
        #expect(config.membership.gossipToTheDeadTime == .seconds(40))
        #expect(config.membership.deadNodeReclaimTime == .seconds(10))
        #expect(config.membership.enableCompression == false)
        #expect(config.kvStore.notifyInterval == .milliseconds(100))
        #expect(config.receivedMessagesQueueSize == 512)
        #expect(config.kvStore.processedMessagesQueueSize == 256)
        #expect(config.compressionAlgorithm == .snappy)
        #expect(config.advertiseAddress == IPAddress(10, 0, 0, 5) && config.advertisePort == 7947)
        #expect(config.membership.label == "pyroscope-prod" && config.membership.skipInboundLabelCheck)
        #expect(config.joinMembers.map(\.description) == ["10.0.0.6:7946", "seed.example:7000"])
        #expect(config.minJoinBackoff == .seconds(2) && config.maxJoinBackoff == .seconds(120))
        #expect(config.maxJoinRetries == 12 && config.abortIfJoinFails)
        #expect(config.abortIfFastJoinFails && config.fastJoinMinNodes == 2)
        #expect(config.rejoinInterval == .seconds(300) && config.rejoinSeedNodes.map(\.description) == ["10.0.0.7:7946"])
        #expect(config.kvStore.leftIngestersTimeout == .seconds(360))
        #expect(config.kvStore.obsoleteEntriesTimeout == .seconds(45))
        #expect(config.leaveTimeout == .seconds(25))
        #expect(config.kvStore.broadcastTimeoutForLocalUpdatesOnShutdown == .seconds(15))
        #expect(config.kvStore.messageHistoryBufferBytes == 65536 && config.kvStore.watchPrefixBufferSize == 256)
        #expect(config.bindAddresses == [IPAddress(10, 0, 0, 5)] && config.bindPort == 7947)
        #expect(config.packetWriters.dialTimeout == .seconds(3) && config.packetWriters.writeTimeout == .seconds(6))
        #expect(config.packetWriters.maxConcurrentWrites == 5)
        #expect(config.packetWriters.acquireWriterTimeout == .milliseconds(300))
        #expect(config.tls == TLSSettings(enabled: true, certificatePath: "/certs/tls.crt", keyPath: "/certs/tls.key",
                                          caPath: "/certs/ca.crt", serverName: "memberlist.pyroscope",
                                          insecureSkipVerify: true,
                                          cipherSuites: ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
                                          minVersion: "VersionTLS12"))
        #expect(config.zoneAwareRouting == ZoneAwareRouting(enabled: true, zone: "zone-a", role: .bridge))
        let tracker = config.kvStore.propagationDelayTracker
        #expect(tracker.enabled && tracker.beaconInterval == .seconds(120) && tracker.beaconLifetime == .seconds(1200)
            && tracker.logBeaconsLatencyLongerThan == .seconds(5))
        #expect(config.server.httpListenAddress == IPAddress(parsing: "10.0.0.5") && config.server.httpListenPort == 4100)
    }

    @Test func flagsOverrideTheFileWhichOverridesDefaults() throws {
        let yaml = "memberlist:\n  gossip_interval: 1s\n  gossip_nodes: 7\n  join_members: [10.0.0.1]\n"
        let loaded = try Self.load(["c.yaml": yaml], [
            "-config.file", "c.yaml", "-memberlist.gossip-interval=2s", "-memberlist.join=10.0.0.2",
        ])
        #expect(loaded.config.membership.gossipInterval == .seconds(2), "flag wins")
        #expect(loaded.config.membership.gossipNodes == 7, "file wins over the default")
        #expect(loaded.config.membership.pushPullInterval == .seconds(30), "default")
        #expect(loaded.config.joinMembers.map(\.description) == ["10.0.0.2:7946"], "a flag list replaces the file's")
    }

    @Test func environmentIsExpandedOnlyWhenAsked() throws {
        let yaml = "memberlist:\n  cluster_label: ${LABEL}\n  node_name: ${NAME:fallback}\n  join_members: [\"${SEED:10.0.0.3}\"]\n"
        let expanded = try Self.load(["c.yaml": yaml], ["-config.file=c.yaml", "-config.expand-env"],
                                     environment: ["LABEL": "blue"])
        #expect(expanded.config.membership.label == "blue")
        #expect(expanded.config.nodeName == "fallback")
        #expect(expanded.config.joinMembers.map(\.description) == ["10.0.0.3:7946"])
        let literal = try Self.load(["c.yaml": "memberlist:\n  cluster_label: ${LABEL}\n"], ["-config.file=c.yaml"],
                                    environment: ["LABEL": "blue"])
        #expect(literal.config.membership.label == "${LABEL}")
    }

    @Test func badKeysAndValuesAreOneLineWithPosition() {
        #expect(Self.error("memberlist:\n  gossip_interval: fast\n")
            == "config.yaml:2:20: memberlist.gossip_interval: invalid duration \"fast\": expected a duration such as 200ms or 1s")
        #expect(Self.error("memberlist:\n  bind_port: 70000\n")
            == "config.yaml:2:14: memberlist.bind_port: invalid integer \"70000\": expected an integer from 0 to 65535")
        #expect(Self.error("memberlist:\n  tls_enabled: maybe\n")
            == "config.yaml:2:16: memberlist.tls_enabled: invalid boolean \"maybe\": expected a boolean (true or false)")
        #expect(Self.error("memberlist:\n  compression_algorithm: gzip\n")
            == "config.yaml:2:26: memberlist.compression_algorithm: invalid value \"gzip\": expected one of lzw, snappy")
        #expect(Self.error("memberlist:\n  zone_aware_routing:\n    role: leader\n")
            == "config.yaml:3:11: memberlist.zone_aware_routing.role: invalid value \"leader\": expected one of member, bridge")
        #expect(Self.error("memberlist:\n  bind_addr: [localhost]\n")
            == "config.yaml:2:14: memberlist.bind_addr: invalid value \"localhost\": expected IP addresses such as 0.0.0.0, 10.0.0.1 or ::")
        #expect(Self.error("memberlist:\n  max_join_backoff: 10ms\n")
            == "config.yaml:2:21: memberlist.max_join_backoff: must not be shorter than -memberlist.min-join-backoff")
        #expect(Self.error("memberlist:\n  zone_aware_routing:\n    enabled: true\n")
            == "config.yaml:3:14: memberlist.zone_aware_routing.enabled: needs the zone (-memberlist.zone-aware-routing.instance-availability-zone)")
        #expect(Self.error("memberlist:\n  gossip_intervall: 1s\n")?
            .hasPrefix("config.yaml:2:3: memberlist.gossip_intervall: unknown key: expected one of node_name, ") == true)
        #expect(Self.error("server:\n  grpc_listen_portt: 9095\n")
            == "config.yaml:2:3: server.grpc_listen_portt: unknown key: expected one of http_listen_address, http_listen_port")
        #expect(Self.error("memberlistd:\n  x: 1\n")
            == "config.yaml:1:1: memberlistd: unknown block: expected memberlist: or server: (or a Pyroscope block, which is skipped)")
        #expect(Self.error("memberlist:\n  gossip_nodes: 3\n  gossip_nodes: 4\n")
            == "config.yaml:3:3: memberlist.gossip_nodes: duplicate key")
        #expect(Self.error("memberlist:\n  join_members:\n    nested: map\n")
            == "config.yaml:3:5: memberlist.join_members: invalid list: expected a comma-separated list")
        #expect(Self.error("memberlist: [\n") == "config.yaml:2:1: invalid YAML: did not find expected node content")
        #expect(Self.error("memberlist:\n  gossip_interval: fast\n", ["-memberlist.gossip-interval=1s"])?
            .hasPrefix("config.yaml:2:20: ") == true, "the file is checked as read, even where a flag overrides it")
    }

    /// A file nested thousands of levels deep (FuzzConfigFile's stack overflow, saved under
    /// Fuzz/regressions/FuzzConfigFile) is refused with one line at the first level too deep.
    @Test func deeplyNestedYAMLIsRefusedNotAStackOverflow() {
        let deep = "memberlist:\n  join_members: " + String(repeating: "[", count: 20_000) + "\n"
        #expect(Self.error(deep) == "config.yaml:2:79: YAML nested deeper than 64 levels")
        let fits = "memberlist:\n  join_members: " + String(repeating: "[", count: 61) + "a"
            + String(repeating: "]", count: 61) + "\n"
        #expect(Self.error(fits)?.contains("nested deeper") == false, "61 lists inside two mappings, around a value: 64 levels, which fit")
    }

    @Test func missingFileIsOneLine() {
        #expect(throws: ConfigError.unreadableFile(path: "nope.yaml", reason: "No such file or directory")) {
            try Self.load([:], ["-config.file=nope.yaml"])
        }
    }

    @Test func printedConfigReadsBackToTheSameNodeConfig() throws {
        let loaded = try Self.load(["pyroscope.yaml": Self.reference], ["-config.file=pyroscope.yaml", "-print.config"])
        #expect(loaded.printConfig)
        let printed = loaded.settings.yaml
        #expect(printed.hasPrefix("memberlist:\n  node_name: \"pyro-1\"\n"))
        #expect(printed.contains("\n  zone_aware_routing:\n    enabled: true\n    instance_availability_zone: \"zone-a\"\n"))
        #expect(printed.contains("\n  join_members:\n    - \"10.0.0.6:7946\"\n    - \"seed.example:7000\"\n"))
        #expect(printed.hasSuffix("server:\n  http_listen_address: \"10.0.0.5\"\n  http_listen_port: 4100\n"))
        // Every key's line, at its depth (`enabled:` twice: zone routing and the tracker).
        let keyLines = FlagCatalog.definitions.compactMap(\.yamlKey).map { key in
            let parts = key.split(separator: ".")
            return String(repeating: "  ", count: parts.count - 1) + (parts.last ?? "") + ":"
        }
        let printedKeyLines = printed.split(separator: "\n").filter { !$0.hasPrefix("    -") && !$0.hasPrefix("      -") }
            .map { $0.split(separator: ":", maxSplits: 1).first.map { String($0) + ":" } ?? "" }
            .filter { !["memberlist:", "server:", "  zone_aware_routing:", "  propagation_delay_tracker:"].contains($0) }
        #expect(printedKeyLines == keyLines, "every key once, in catalog order")
        let again = try Self.load(["printed.yaml": printed], ["-config.file=printed.yaml"])
        #expect(again.config == loaded.config)
        #expect(again.settings.yaml == printed)
    }

    /// A value with characters YAML does not allow raw (DEL, C1 controls) or reads as line
    /// breaks (U+0085, U+2028, U+2029) prints escaped, so the printed file loads to the same
    /// config (FuzzConfigFile's property; inputs under Fuzz/regressions/FuzzConfigFile).
    @Test func printedConfigEscapesCharactersYAMLCannotHoldRaw() throws {
        let yaml = "memberlist:\n  node_name: \"a\\x7fb\\x85c\\u2028d\\u2029e\\x9ff\\x01\"\n"
        let loaded = try Self.load(["c.yaml": yaml], ["-config.file=c.yaml"])
        #expect(loaded.config.nodeName == "a\u{7F}b\u{85}c\u{2028}d\u{2029}e\u{9F}f\u{01}")
        let printed = loaded.settings.yaml
        #expect(printed.hasPrefix("memberlist:\n  node_name: \"a\\x7fb\\x85c\\u2028d\\u2029e\\x9ff\\x01\"\n"))
        let again = try Self.load(["printed.yaml": printed], ["-config.file=printed.yaml"])
        #expect(again.config == loaded.config)
        #expect(again.settings.yaml == printed)
    }
}
