/// The KV store settings of Pyroscope's `memberlist:` block (dskit-kv-ring.md 8), with
/// dskit's defaults. Parsed by `NodeConfig.readKVFlags`.
public struct KVSettings: Sendable, Equatable {
    /// `notify_interval`: batch watcher notifications over this interval; 0 = at once.
    public var notifyInterval: Duration = .zero
    /// `left_ingesters_timeout`: how long LEFT ring tombstones are kept.
    public var leftIngestersTimeout: Duration = .seconds(300)
    /// `obsolete_entries_timeout`: deleted keys are purged after this long (swept as often).
    public var obsoleteEntriesTimeout: Duration = .seconds(30)
    /// `message_history_buffer_bytes`: sent and received messages kept for `/memberlist`.
    public var messageHistoryBufferBytes: Int = 0
    /// `watch_prefix_buffer_size`: pending notifications per prefix watcher.
    public var watchPrefixBufferSize: Int = 128
    /// `broadcast_timeout_for_local_updates_on_shutdown`: wait for the local queue to empty
    /// before leaving; 0 = no bound.
    public var broadcastTimeoutForLocalUpdatesOnShutdown: Duration = .seconds(10)
    /// `processed_messages_queue_size`: inbound KV messages waiting to be applied. The node
    /// applies each message on the loop as it arrives, so this queue never holds more than
    /// one; the value is accepted for compatibility.
    public var processedMessagesQueueSize: Int = 1024

    public init() {}
}
