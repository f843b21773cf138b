/// Every flag memberlistd accepts: Pyroscope's `-memberlist.*` flags with
/// dskit's defaults (dskit-kv-ring.md §8) and our additions, marked "(ours)".
public enum FlagCatalog {
    static let port = FlagKind.int(min: 0, max: 65535)
    static let positive = FlagKind.int(min: 1, max: Int.max)

    public static let definitions: [FlagDefinition] = [
        FlagDefinition("memberlist.nodename", .string, default: "",
                       "Name of the node in the memberlist cluster (default: the hostname)"),
        FlagDefinition("memberlist.randomize-node-name", .bool, default: "true",
                       "Add a random suffix (-xxxxxxxx) to the node name"),
        FlagDefinition("memberlist.bind-addr", .list, default: "0.0.0.0",
                       "IP address to listen on (comma list or repeated; the first is used)"),
        FlagDefinition("memberlist.bind-port", port, default: "7946", "Port to listen on; 0 = kernel-chosen"),
        FlagDefinition("memberlist.advertise-addr", .string, default: "",
                       "IP address to advertise to peers (default: derived from the bind address)"),
        FlagDefinition("memberlist.advertise-port", FlagKind.int(min: 1, max: 65535), default: "7946",
                       "Port to advertise (used together with -memberlist.advertise-addr)"),
        FlagDefinition("memberlist.join", .list, default: "",
                       "Member to join: [name/]host[:port], dns+host:port, dnssrv+name[:port] or dnssrvnoa+name[:port]; repeat the flag or use a comma list"),
        FlagDefinition("memberlist.dns-resolv-conf", .string, default: "/etc/resolv.conf",
                       "(ours) resolv.conf for join name lookups (c-ares; nameserver ip:port accepted)"),
        FlagDefinition("memberlist.min-join-backoff", .duration, default: "1s", "Minimum backoff between join attempts"),
        FlagDefinition("memberlist.max-join-backoff", .duration, default: "1m", "Maximum backoff between join attempts"),
        FlagDefinition("memberlist.max-join-retries", .int(min: 0, max: Int.max), default: "10",
                       "Join attempts before giving up (the node then runs alone)"),
        FlagDefinition("memberlist.abort-if-join-fails", .bool, default: "false",
                       "Exit with an error if no join attempt reaches any member"),
        FlagDefinition("memberlist.gossip-interval", .duration, default: "200ms", "How often to gossip"),
        FlagDefinition("memberlist.gossip-nodes", positive, default: "3", "Peers to gossip to per interval"),
        FlagDefinition("memberlist.pullpush-interval", .duration, default: "30s",
                       "How often to sync full state with a random peer; 0 = never"),
        FlagDefinition("memberlist.retransmit-factor", positive, default: "4",
                       "Multiplier of how often a message is retransmitted"),
        FlagDefinition("memberlist.gossip-to-dead-nodes-time", .duration, default: "30s",
                       "How long dead nodes still receive gossip"),
        FlagDefinition("memberlist.dead-node-reclaim-time", .duration, default: "0s",
                       "After this long dead, a node name may come back from a new address; 0 = never"),
        FlagDefinition("memberlist.stream-timeout", .duration, default: "2s",
                       "Deadline of push/pull and user-message streams"),
        FlagDefinition("memberlist.packet-dial-timeout", .duration, default: "2s", "tcp transport: packet dial timeout"),
        FlagDefinition("memberlist.packet-write-timeout", .duration, default: "5s",
                       "tcp transport: packet write deadline; 0 = none"),
        FlagDefinition("memberlist.max-concurrent-writes", .int(min: Int.min, max: Int.max), default: "3",
                       "tcp transport: concurrent packet writers (<= 0 means 1)"),
        FlagDefinition("memberlist.acquire-writer-timeout", .duration, default: "250ms",
                       "tcp transport: wait for a free writer before dropping a packet"),
        FlagDefinition("memberlist.received-messages-queue-size", positive, default: "1024",
                       "Capacity of the inbound gossip queue"),
        FlagDefinition("memberlist.cluster-label", .string, default: "",
                       "Label that every packet and stream must carry (at most 255 bytes)"),
        FlagDefinition("memberlist.cluster-label-verification-disabled", .bool, default: "false",
                       "Accept unlabelled inbound traffic even when a label is set"),
        FlagDefinition("memberlist.compression-enabled", .bool, default: "true", "Compress messages with LZW"),
        FlagDefinition("memberlist.leave-timeout", .duration, default: "20s",
                       "How long leaving waits for the leave message to spread"),
        FlagDefinition("memberlist.tls-enabled", .bool, default: "false", "tcp transport: wrap connections in TLS"),
        FlagDefinition("memberlist.tls-cert-path", .string, default: "", "TLS certificate (client and server)"),
        FlagDefinition("memberlist.tls-key-path", .string, default: "", "TLS private key"),
        FlagDefinition("memberlist.tls-ca-path", .string, default: "", "CA that verifies peers (default: system roots)"),
        FlagDefinition("memberlist.tls-server-name", .string, default: "",
                       "Expected server name (default: the dialled IP)"),
        FlagDefinition("memberlist.tls-insecure-skip-verify", .bool, default: "false",
                       "Do not verify peer certificates"),
        FlagDefinition("memberlist.tls-cipher-suites", .list, default: "",
                       "Comma list of Go TLS cipher suite names"),
        FlagDefinition("memberlist.tls-min-version", .choice(TLSSettings.minVersionNames), default: "",
                       "Minimum TLS version: VersionTLS10, VersionTLS11, VersionTLS12 or VersionTLS13"),
        // Ours.
        FlagDefinition("memberlist.transport", .choice(TransportKind.allCases.map(\.rawValue)), default: "tcp",
                       "(ours) tcp = dskit's TCP transport; udp = memberlist's UDP+TCP transport"),
        FlagDefinition("memberlist.tls-require-client-cert", .bool, default: "false",
                       "(ours) TLS servers require a client certificate signed by -memberlist.tls-ca-path"),
        FlagDefinition("memberlist.encryption-key-file", .string, default: "",
                       "(ours) Gossip keyring file: one key per line, hex or base64, 16/24/32 bytes; first is primary"),
        FlagDefinition("memberlist.probe-interval", .duration, default: "5s (tcp), 1s (udp)",
                       "(ours) Failure-detection probe interval"),
        FlagDefinition("memberlist.probe-timeout", .duration, default: "2s (tcp), 500ms (udp)",
                       "(ours) Wait for a direct ack before probing indirectly"),
        FlagDefinition("memberlist.suspicion-mult", positive, default: "4",
                       "(ours) Suspicion timeout multiplier"),
        FlagDefinition("log.level", .choice(LogLevel.allCases.map(\.rawValue)), default: "info",
                       "Log level: debug, info, warn or error"),
        FlagDefinition("memberlistd.stdin-commands", .bool, default: "false",
                       "(ours) Read commands from stdin: 'broadcast <text>', 'members', 'leave'"),
    ] + AdminServerSettings.flagDefinitions

    /// The `-help` text: one flag per entry with its default and meaning.
    public static var usage: String {
        var text = "Usage: memberlistd [flags]\n\nFlags (as Go's flag package: -flag=value, -flag value, --flag):\n"
        for definition in definitions {
            let type: String
            switch definition.kind {
            case .bool: type = ""
            case .int: type = " int"
            case .duration: type = " duration"
            case .string, .choice: type = " string"
            case .list: type = " list"
            }
            text += "  -\(definition.name)\(type)\n        \(definition.usage)"
            if !definition.defaultText.isEmpty { text += " (default \(definition.defaultText))" }
            text += "\n"
        }
        return text
    }
}
