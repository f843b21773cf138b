/// The sent and received KV messages the `/memberlist` page lists (dskit
/// `message_history_buffer_bytes`, dskit-kv-ring.md 3.7): two FIFOs, each dropping its oldest
/// entries to keep the summed message sizes within the limit. A limit of 0 keeps nothing.
public struct KVMessageHistory: Sendable {
    public struct Entry: Equatable, Sendable {
        /// Unique and increasing across both lists.
        public var id: UInt64
        public var timeMillis: Int64
        /// Bytes of the message as sent or received.
        public var size: Int
        public var pair: KeyValuePair
        /// Received: the node-local version after applying, 0 = no change. Sent: the version sent.
        public var version: UInt
        /// The items the message changed (for rings: instance IDs).
        public var changes: [String]

        public init(timeMillis: Int64, size: Int, pair: KeyValuePair, version: UInt, changes: [String]) {
            self.id = 0
            self.timeMillis = timeMillis
            self.size = size
            self.pair = pair
            self.version = version
            self.changes = changes
        }
    }

    public let limitBytes: Int
    public private(set) var sent: [Entry] = []
    public private(set) var received: [Entry] = []
    private var sentBytes = 0
    private var receivedBytes = 0
    private var lastID: UInt64 = 0

    public init(limitBytes: Int) {
        self.limitBytes = max(limitBytes, 0)
    }

    /// `entry` is built only when a history is kept (its sorted change list allocates).
    public mutating func recordSent(_ entry: @autoclosure () -> Entry) {
        guard limitBytes > 0 else { return }
        Self.append(numbered(entry()), to: &sent, size: &sentBytes, limit: limitBytes)
    }

    public mutating func recordReceived(_ entry: @autoclosure () -> Entry) {
        guard limitBytes > 0 else { return }
        Self.append(numbered(entry()), to: &received, size: &receivedBytes, limit: limitBytes)
    }

    public mutating func removeAll() {
        sent = []
        received = []
        sentBytes = 0
        receivedBytes = 0
    }

    private mutating func numbered(_ entry: Entry) -> Entry {
        lastID += 1
        var copy = entry
        copy.id = lastID
        return copy
    }

    private static func append(_ entry: Entry, to list: inout [Entry], size: inout Int, limit: Int) {
        list.append(entry)
        size += entry.size
        var drop = 0
        while drop < list.count && size > limit {
            size -= list[drop].size
            drop += 1
        }
        list.removeFirst(drop)
    }
}
