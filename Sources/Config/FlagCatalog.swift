import Membership

/// Every setting memberlistd accepts, the one place its name, YAML key, type,
/// range and default are written: Pyroscope's 55 `-memberlist.*` flags with
/// dskit's defaults and `memberlist:` keys (dskit-kv-ring.md §8), the
/// `server:` keys Pyroscope shares, the config-file flags, and our additions,
/// marked "(ours)". `SettingValues` parses flags and YAML through it and
/// `NodeConfig(settings:)` reads only typed values from it.
public enum FlagCatalog {
    static let port = FlagKind.int(min: 0, max: 65535)
    static let positive = FlagKind.int(min: 1, max: Int.max)
    static let nonNegative = FlagKind.int(min: 0, max: Int.max)
    static let anyInt = FlagKind.int(min: Int.min, max: Int.max)

    /// A `-memberlist.<flag>` setting with YAML key `memberlist.<yaml>`.
    private static func memberlist(_ flag: String, _ yaml: String, _ kind: FlagKind, _ value: SettingValue,
                                   note: String? = nil, _ usage: String) -> FlagDefinition {
        FlagDefinition("memberlist." + flag, yaml: "memberlist." + yaml, kind, default: value, note: note, usage)
    }

    private static func seconds(_ count: Int64) -> SettingValue { .duration(.seconds(count)) }

    public static let definitions: [FlagDefinition] = [
        // Identity.
        memberlist("nodename", "node_name", .string, .string(""),
                   "Name of the node in the memberlist cluster (\"\" = the hostname)"),
        memberlist("randomize-node-name", "randomize_node_name", .bool, .bool(true),
                   "Add a random suffix (-xxxxxxxx) to the node name"),
        // Gossip and failure detection.
        memberlist("stream-timeout", "stream_timeout", .duration, seconds(2),
                   "Deadline of push/pull and user-message streams"),
        memberlist("retransmit-factor", "retransmit_factor", positive, .int(4),
                   "Multiplier of how often a message is retransmitted"),
        memberlist("pullpush-interval", "pull_push_interval", .duration, seconds(30),
                   "How often to sync full state with a random peer; 0 = never"),
        memberlist("gossip-interval", "gossip_interval", .duration, .duration(.milliseconds(200)), "How often to gossip"),
        memberlist("gossip-nodes", "gossip_nodes", positive, .int(3), "Peers to gossip to per interval"),
        memberlist("gossip-to-dead-nodes-time", "gossip_to_dead_nodes_time", .duration, seconds(30),
                   "How long dead nodes still receive gossip"),
        memberlist("dead-node-reclaim-time", "dead_node_reclaim_time", .duration, seconds(0),
                   "After this long dead, a node name may come back from a new address; 0 = never"),
        memberlist("compression-enabled", "compression_enabled", .bool, .bool(true),
                   "Compress gossip messages and streams"),
        memberlist("compression-algorithm", "compression_algorithm", .choice(["lzw", "snappy"]), .string("lzw"),
                   "Compression of outgoing messages: lzw (every memberlist) or snappy (newer grafana/memberlist peers)"),
        memberlist("notify-interval", "notify_interval", .duration, seconds(0),
                   "KV store: batch watcher notifications this long; 0 = notify at once"),
        memberlist("received-messages-queue-size", "received_messages_queue_size", positive, .int(1024),
                   "memberlist's handoff queue of received messages; this node applies each message as it arrives, so nothing queues (validated, kept)"),
        memberlist("processed-messages-queue-size", "processed_messages_queue_size", positive, .int(1024),
                   "KV store: capacity of each key's queue of received values waiting to be merged (full = dropped)"),
        // Addresses.
        memberlist("advertise-addr", "advertise_addr", .string, .string(""),
                   "IP address to advertise to peers (\"\" = derived from the bind address)"),
        memberlist("advertise-port", "advertise_port", FlagKind.int(min: 1, max: 65535), .int(7946),
                   "Port to advertise (used together with -memberlist.advertise-addr)"),
        memberlist("cluster-label", "cluster_label", .string, .string(""),
                   "Label that every packet and stream must carry (at most 255 bytes)"),
        memberlist("cluster-label-verification-disabled", "cluster_label_verification_disabled", .bool, .bool(false),
                   "Accept unlabelled inbound traffic even when a label is set"),
        // Joining (dskit-kv-ring.md §4).
        memberlist("join", "join_members", .list, .list([]),
                   "Member to join: [name/]host[:port], dns+host:port, dnssrv+name[:port] or dnssrvnoa+name[:port]; repeat the flag or use a comma list"),
        memberlist("min-join-backoff", "min_join_backoff", .duration, seconds(1), "Minimum backoff between join attempts"),
        memberlist("max-join-backoff", "max_join_backoff", .duration, seconds(60), "Maximum backoff between join attempts"),
        memberlist("max-join-retries", "max_join_retries", nonNegative, .int(10),
                   "Full-join attempts before giving up (the node then runs alone)"),
        memberlist("abort-if-fast-join-fails", "abort_if_cluster_fast_join_fails", .bool, .bool(false),
                   "Exit with an error if the fast join at start reaches fewer than -memberlist.abort-if-fast-join-fails-min-nodes members"),
        memberlist("abort-if-fast-join-fails-min-nodes", "abort_if_cluster_fast_join_fails_min_nodes", nonNegative, .int(1),
                   "Members the fast join must reach"),
        memberlist("abort-if-join-fails", "abort_if_cluster_join_fails", .bool, .bool(false),
                   "Exit with an error if no full-join attempt reaches any member"),
        memberlist("rejoin-interval", "rejoin_interval", .duration, seconds(0),
                   "Join the seeds again this often (first after a random part of it), healing partitions; 0 = never"),
        memberlist("rejoin-seed-nodes", "rejoin_seed_nodes", .list, .list([]),
                   "Members to rejoin through (default: the -memberlist.join list)"),
        // KV store (stored here, applied by the KV store).
        memberlist("left-ingesters-timeout", "left_ingesters_timeout", .duration, seconds(300),
                   "KV store: how long LEFT ring instances are kept before removal"),
        memberlist("obsolete-entries-timeout", "obsolete_entries_timeout", .duration, seconds(30),
                   "KV store: how long deleted entries are kept before removal"),
        memberlist("leave-timeout", "leave_timeout", .duration, seconds(20),
                   "How long leaving waits for the leave message to spread"),
        memberlist("broadcast-timeout-for-local-updates-on-shutdown", "broadcast_timeout_for_local_updates_on_shutdown",
                   .duration, seconds(10),
                   "KV store: at shutdown, wait this long for local updates to be sent; 0 = no limit"),
        memberlist("message-history-buffer-bytes", "message_history_buffer_bytes", nonNegative, .int(0),
                   "KV store: bytes of sent and received KV messages kept for the status page; 0 = none"),
        memberlist("watch-prefix-buffer-size", "watch_prefix_buffer_size", nonNegative, .int(128),
                   "KV store: buffered notifications of each prefix watcher"),
        // dskit's TCP transport (dskit-kv-ring.md §1).
        memberlist("bind-addr", "bind_addr", .list, .list([]),
                   "IP addresses to listen on, one listener each (none = 0.0.0.0)"),
        memberlist("bind-port", "bind_port", port, .int(7946), "Port to listen on; 0 = kernel-chosen"),
        memberlist("packet-dial-timeout", "packet_dial_timeout", .duration, seconds(2), "tcp transport: packet dial timeout"),
        memberlist("packet-write-timeout", "packet_write_timeout", .duration, seconds(5),
                   "tcp transport: packet write deadline; 0 = none"),
        memberlist("max-concurrent-writes", "max_concurrent_writes", anyInt, .int(3),
                   "tcp transport: concurrent packet writers (<= 0 means 1)"),
        memberlist("acquire-writer-timeout", "acquire_writer_timeout", .duration, .duration(.milliseconds(250)),
                   "tcp transport: wait for a free writer before dropping a packet"),
        memberlist("tls-enabled", "tls_enabled", .bool, .bool(false), "tcp transport: wrap connections in TLS"),
        memberlist("tls-cert-path", "tls_cert_path", .string, .string(""), "TLS certificate (client and server)"),
        memberlist("tls-key-path", "tls_key_path", .string, .string(""), "TLS private key"),
        memberlist("tls-ca-path", "tls_ca_path", .string, .string(""), "CA that verifies peers (\"\" = system roots)"),
        memberlist("tls-server-name", "tls_server_name", .string, .string(""),
                   "Expected server name (\"\" = the dialled IP)"),
        memberlist("tls-insecure-skip-verify", "tls_insecure_skip_verify", .bool, .bool(false),
                   "Do not verify peer certificates"),
        memberlist("tls-cipher-suites", "tls_cipher_suites", .string, .string(""),
                   "Comma list of Go TLS cipher suite names"),
        memberlist("tls-min-version", "tls_min_version", .choice(TLSSettings.minVersionNames), .string(""),
                   "Minimum TLS version: VersionTLS10, VersionTLS11, VersionTLS12 or VersionTLS13"),
        // Zone-aware routing (dskit-kv-ring.md §3.7).
        memberlist("zone-aware-routing.enabled", "zone_aware_routing.enabled", .bool, .bool(false),
                   "Gossip and probe within the own zone; bridge nodes cross zones (needs the zone)"),
        memberlist("zone-aware-routing.instance-availability-zone", "zone_aware_routing.instance_availability_zone",
                   .string, .string(""), "This node's zone (at most 16 bytes)"),
        memberlist("zone-aware-routing.role", "zone_aware_routing.role", .choice(ZoneRouting.Role.names.map(\.name)),
                   .string("member"), "member (stays in its zone) or bridge (links zones)"),
        // Propagation delay tracker (KV store).
        memberlist("propagation-delay-tracker.enabled", "propagation_delay_tracker.enabled", .bool, .bool(false),
                   "KV store: publish beacons to measure how long updates take to reach every node"),
        memberlist("propagation-delay-tracker.beacon-interval", "propagation_delay_tracker.beacon_interval",
                   .duration, seconds(60), "KV store: how often a beacon is published"),
        memberlist("propagation-delay-tracker.beacon-lifetime", "propagation_delay_tracker.beacon_lifetime",
                   .duration, seconds(600), "KV store: how long a beacon is kept"),
        memberlist("propagation-delay-tracker.log-beacons-latency-longer-than",
                   "propagation_delay_tracker.log_beacons_latency_longer_than", .duration, seconds(0),
                   "KV store: log beacons that arrived later than this; 0 = never"),
        FlagDefinition("memberlist.transport-debug", .bool, default: .bool(false),
                       "Log every packet and stream at the transport (peer, bytes, direction) at debug level"),
        // Pyroscope's server block (stored for the HTTP endpoints).
        FlagDefinition("server.http-listen-address", yaml: "server.http_listen_address", .string, default: .string(""),
                       "HTTP server listen address"),
        FlagDefinition("server.http-listen-port", yaml: "server.http_listen_port", port, default: .int(4040),
                       "HTTP server listen port"),
        // The config file.
        FlagDefinition("config.file", .string, default: .string(""),
                       "YAML file to read (memberlist: and server: blocks); flags override it"),
        FlagDefinition("config.expand-env", .bool, default: .bool(false),
                       "Replace ${VAR} and ${VAR:default} in the config file with environment variables"),
        FlagDefinition("print.config", .bool, default: .bool(false),
                       "Print the effective configuration as YAML and exit"),
        // Ours.
        FlagDefinition("memberlist.transport", .choice(TransportKind.allCases.map(\.rawValue)), default: .string("tcp"),
                       "(ours) tcp = dskit's TCP transport; udp = memberlist's UDP+TCP transport"),
        FlagDefinition("memberlist.dns-resolv-conf", .string, default: .string("/etc/resolv.conf"),
                       "(ours) resolv.conf for join name lookups (c-ares; nameserver ip:port accepted)"),
        FlagDefinition("memberlist.tls-require-client-cert", .bool, default: .bool(false),
                       "(ours) TLS servers require a client certificate signed by -memberlist.tls-ca-path"),
        FlagDefinition("memberlist.tls-persistent-connections", .bool, default: .bool(true),
                       "(ours) TLS: keep one connection per memberlistd peer for packets (ALPN memberlistd-packets/1; Go peers keep a connection per packet)"),
        FlagDefinition("memberlist.tls-session-cache-size", nonNegative, default: .int(256),
                       "(ours) TLS: peers whose session is kept to resume the next handshake with; 0 = never resume"),
        FlagDefinition("memberlist.tls-reload-interval", .duration, default: seconds(10),
                       "(ours) TLS: how often the cert, key and CA files are checked for changes (also reloaded on SIGHUP); 0 = only on SIGHUP"),
        FlagDefinition("memberlist.encryption-key-file", .string, default: .string(""),
                       "(ours) Gossip keyring file: one key per line, hex or base64, 16/24/32 bytes; first is primary"),
        FlagDefinition("memberlist.probe-interval", .duration, default: seconds(5), note: "5s (tcp), 1s (udp)",
                       "(ours) Failure-detection probe interval"),
        FlagDefinition("memberlist.probe-timeout", .duration, default: seconds(2), note: "2s (tcp), 500ms (udp)",
                       "(ours) Wait for a direct ack before probing indirectly"),
        FlagDefinition("memberlist.suspicion-mult", positive, default: .int(4), "(ours) Suspicion timeout multiplier"),
        FlagDefinition("memberlist.eager-dissemination", .bool, default: .bool(false),
                       "(ours) Send new gossip at once to retransmit-limit peers instead of at the next gossip ticks"),
        FlagDefinition("log.level", .choice(LogLevel.allCases.map(\.rawValue)), default: .string("info"),
                       "Log level: debug, info, warn or error"),
        FlagDefinition("memberlistd.stdin-commands", .bool, default: .bool(false),
                       "(ours) Read commands from stdin: 'broadcast <text>', 'kv-put <key> <value>', 'members', 'kv', 'leave', 'wall-clock-step <seconds>'; log every KV change"),
        // This node's own ring instance (ours; dskit-kv-ring.md 5.3).
        FlagDefinition("memberlistd.ring.key", .string, default: .string(""),
                       "(ours) KV key of a ring this node registers itself in, e.g. collectors/ring; empty = none"),
        FlagDefinition("memberlistd.ring.instance-id", .string, default: .string(""),
                       "(ours) The node's ring instance ID (default: the node name)"),
        FlagDefinition("memberlistd.ring.num-tokens", .int(min: 0, max: 1 << 20), default: .int(128),
                       "(ours) Tokens the ring instance owns"),
        FlagDefinition("memberlistd.ring.heartbeat-period", .duration, default: seconds(5),
                       "(ours) How often the ring instance heartbeats; 0 = never"),
        FlagDefinition("memberlistd.ring.heartbeat-timeout", .duration, default: seconds(60),
                       "(ours) Heartbeat age after which a ring instance counts as unhealthy"),
        FlagDefinition("sidecar.listen-address", .string, default: .string(SidecarListenAddress.defaultText),
                       "(ours) Sidecar API (/v1/) listener: a loopback ip:port (port 0 = kernel-chosen) or unix:PATH; empty = off"),
        FlagDefinition("metrics.prefix", .string, default: .string("pyroscope"),
                       "(ours) Prefix of every metric name, dskit's namespace (pyroscope, phlare, cortex, ...)"),
    ]

    /// Definitions by flag name.
    static let byName: [String: FlagDefinition] = Dictionary(
        definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// Definitions by YAML key path.
    static let byYAMLKey: [String: FlagDefinition] = Dictionary(
        definitions.compactMap { definition in definition.yamlKey.map { ($0, definition) } },
        uniquingKeysWith: { first, _ in first })

    /// The `-help` text: one flag per entry with its default and meaning.
    public static var usage: String {
        var text = "Usage: memberlistd [flags]\n\nFlags (as Go's flag package: -flag=value, -flag value, --flag):\n"
        for definition in definitions {
            text += "  -\(definition.name)\(definition.kind.helpType)\n        \(definition.usage)"
            if !definition.defaultText.isEmpty { text += " (default \(definition.defaultText))" }
            text += "\n"
        }
        return text
    }
}
