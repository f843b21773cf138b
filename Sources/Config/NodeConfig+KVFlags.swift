/// The KV store flags of Pyroscope's `memberlist:` block and our ring-registration flags,
/// as one block the flag catalog appends (dskit-kv-ring.md 8, 8.1).
extension NodeConfig {
    static let kvFlagDefinitions: [FlagDefinition] = [
        FlagDefinition("memberlist.notify-interval", .duration, default: "0s",
                       "How often watchers of keys and prefixes are notified; 0 = on every change"),
        FlagDefinition("memberlist.left-ingesters-timeout", .duration, default: "5m",
                       "How long LEFT ring entries are kept before they are removed"),
        FlagDefinition("memberlist.obsolete-entries-timeout", .duration, default: "30s",
                       "How long deleted KV keys are kept, and how often they are swept"),
        FlagDefinition("memberlist.message-history-buffer-bytes", .int(min: 0, max: Int.max), default: "0",
                       "Bytes of sent and of received KV messages kept for the /memberlist page; 0 = none"),
        FlagDefinition("memberlist.watch-prefix-buffer-size", .int(min: 0, max: Int.max), default: "128",
                       "Notifications a prefix watcher may hold before further ones are dropped"),
        FlagDefinition("memberlist.broadcast-timeout-for-local-updates-on-shutdown", .duration, default: "10s",
                       "How long shutdown waits for local KV updates to be broadcast; 0 = no limit"),
        FlagDefinition("memberlist.processed-messages-queue-size", .int(min: 1, max: Int.max), default: "1024",
                       "Capacity of the queue of received KV messages waiting to be applied"),
        FlagDefinition("memberlistd.ring.key", .string, default: "",
                       "(ours) KV key of a ring this node registers itself in, e.g. collectors/ring; empty = none"),
        FlagDefinition("memberlistd.ring.instance-id", .string, default: "",
                       "(ours) The node's ring instance ID (default: the node name)"),
        FlagDefinition("memberlistd.ring.num-tokens", .int(min: 0, max: 1 << 20), default: "128",
                       "(ours) Tokens the ring instance owns"),
        FlagDefinition("memberlistd.ring.heartbeat-period", .duration, default: "5s",
                       "(ours) How often the ring instance heartbeats; 0 = never"),
        FlagDefinition("memberlistd.ring.heartbeat-timeout", .duration, default: "1m",
                       "(ours) Heartbeat age after which a ring instance counts as unhealthy"),
    ]

    /// Reads the flags of `kvFlagDefinitions` into `kv` and `ring`.
    mutating func readKVFlags(_ flags: ParsedFlags) throws(ConfigError) {
        kv.notifyInterval = try flags.duration("memberlist.notify-interval", default: .zero)
        kv.leftIngestersTimeout = try flags.duration("memberlist.left-ingesters-timeout", default: .seconds(300))
        kv.obsoleteEntriesTimeout = try flags.duration("memberlist.obsolete-entries-timeout", default: .seconds(30))
        kv.messageHistoryBufferBytes = try flags.int("memberlist.message-history-buffer-bytes", default: 0, min: 0)
        kv.watchPrefixBufferSize = try flags.int("memberlist.watch-prefix-buffer-size", default: 128, min: 0)
        kv.broadcastTimeoutForLocalUpdatesOnShutdown =
            try flags.duration("memberlist.broadcast-timeout-for-local-updates-on-shutdown", default: .seconds(10))
        kv.processedMessagesQueueSize = try flags.int("memberlist.processed-messages-queue-size", default: 1024, min: 1)

        ring.key = flags.string("memberlistd.ring.key", default: "")
        ring.instanceID = flags.string("memberlistd.ring.instance-id", default: "")
        ring.numTokens = try flags.int("memberlistd.ring.num-tokens", default: 128, min: 0, max: 1 << 20)
        ring.heartbeatPeriod = try flags.duration("memberlistd.ring.heartbeat-period", default: .seconds(5))
        ring.heartbeatTimeout = try flags.duration("memberlistd.ring.heartbeat-timeout", default: .seconds(60))
        if ring.isEnabled && ring.heartbeatTimeout == .zero {
            throw .invalidValue(flag: "memberlistd.ring.heartbeat-timeout", value: "0s",
                                expected: "a positive duration such as 1m (dskit rejects 0)")
        }
    }
}
