/// The KV store's settings (Pyroscope's `memberlist:` block, dskit-kv-ring.md 8). Durations
/// are milliseconds.
public struct KVStoreConfig: Sendable {
    /// `left_ingesters_timeout`: LEFT tombstones older than this are dropped; 0 keeps them.
    public var leftIngestersTimeoutMillis: Int64
    /// `obsolete_entries_timeout`: deleted keys older than this are purged by the sweep.
    public var obsoleteEntriesTimeoutMillis: Int64
    /// `watch_prefix_buffer_size`.
    public var watchPrefixBufferSize: Int
    /// `retransmit_factor`.
    public var retransmitMult: Int
    /// `message_history_buffer_bytes`: bytes of sent and of received messages kept for the
    /// `/memberlist` page; 0 keeps none.
    public var messageHistoryBufferBytes: Int
    public var codecs: KVCodecRegistry

    public init(leftIngestersTimeoutMillis: Int64 = 5 * 60 * 1000,
                obsoleteEntriesTimeoutMillis: Int64 = 30 * 1000,
                watchPrefixBufferSize: Int = 128,
                retransmitMult: Int = 4,
                messageHistoryBufferBytes: Int = 0,
                codecs: KVCodecRegistry = KVCodecRegistry([RingDescCodec()])) {
        self.leftIngestersTimeoutMillis = leftIngestersTimeoutMillis
        self.obsoleteEntriesTimeoutMillis = obsoleteEntriesTimeoutMillis
        self.watchPrefixBufferSize = watchPrefixBufferSize
        self.retransmitMult = retransmitMult
        self.messageHistoryBufferBytes = messageHistoryBufferBytes
        self.codecs = codecs
    }
}
