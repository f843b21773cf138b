/// The `memberlist:` settings that configure dskit's KV store on top of
/// memberlist (dskit-kv-ring.md §3.5, §3.6, §3.7, §8): parsed and validated
/// here, applied by the KV store. Defaults live in `FlagCatalog`; these
/// zero values are overwritten by `NodeConfig(settings:)`.
public struct KVStoreSettings: Hashable, Sendable {
    /// `notify_interval`: batch watcher notifications; zero = at once.
    public var notifyInterval: Duration = .zero
    /// `processed_messages_queue_size`: each key's worker queue (full = dropped).
    public var processedMessagesQueueSize = 0
    /// `left_ingesters_timeout`: LEFT ring instances are removed after this.
    public var leftIngestersTimeout: Duration = .zero
    /// `obsolete_entries_timeout`: deleted entries are removed after this.
    public var obsoleteEntriesTimeout: Duration = .zero
    /// `broadcast_timeout_for_local_updates_on_shutdown`; zero = unbounded.
    public var broadcastTimeoutForLocalUpdatesOnShutdown: Duration = .zero
    /// `message_history_buffer_bytes`; zero = no history.
    public var messageHistoryBufferBytes = 0
    /// `watch_prefix_buffer_size`.
    public var watchPrefixBufferSize = 0
    /// `propagation_delay_tracker.*`.
    public var propagationDelayTracker = PropagationDelayTracker()

    public init() {}

    /// dskit's propagation delay tracker (key `memberlist-propagation-delay-tracker`).
    public struct PropagationDelayTracker: Hashable, Sendable {
        public var enabled = false
        public var beaconInterval: Duration = .zero
        public var beaconLifetime: Duration = .zero
        /// Zero = never log.
        public var logBeaconsLatencyLongerThan: Duration = .zero

        public init() {}
    }
}
