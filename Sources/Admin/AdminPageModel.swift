import Node

/// What the `/memberlist` and `/ring` pages show, independent of where it
/// comes from (dskit-kv-ring.md 7): members, KV entries, message history and
/// rings. Filled by an `AdminSource` at request time; the same model is the
/// page's JSON on `Accept: application/json`.
public struct AdminPageModel: Sendable {
    public struct Member: Sendable, Equatable {
        public var name: String
        public var address: String
        /// memberlist's state number: 0 Alive, 1 Suspect, 2 Dead, 3 Left.
        public var state: Int
        public var incarnation: UInt32

        public var stateName: String {
            switch state {
            case 0: "Alive"
            case 1: "Suspect"
            case 2: "Dead"
            case 3: "Left"
            default: "Unknown"
            }
        }
    }

    /// A KV key as the node's status reports it (key, codec, node-local version, deleted,
    /// update time, encoded value, decoded ring).
    public typealias KVEntry = NodeStatus.KVKey

    public struct Message: Sendable {
        public var id: UInt64
        public var timeMillis: Int64
        public var key: String
        public var size: Int
        public var codec: String
        public var version: UInt
        public var changes: [String]
        public var encoded: [UInt8]

        public init(id: UInt64, timeMillis: Int64, key: String, size: Int, codec: String, version: UInt,
                    changes: [String], encoded: [UInt8]) {
            (self.id, self.timeMillis, self.key, self.size, self.codec, self.version, self.changes, self.encoded) = (id, timeMillis, key, size, codec, version, changes, encoded)
        }
    }

    public struct History: Sendable {
        public var received: [Message]
        public var sent: [Message]

        public init(received: [Message] = [], sent: [Message] = []) { (self.received, self.sent) = (received, sent) }
    }

    public var nodeName: String
    public var healthScore: Int
    public var members: [Member]
    public var kvEntries: [KVEntry]
    /// nil when message history is disabled (`message-history-buffer-bytes` 0).
    public var history: History?
    public var rings: [RingView]

    public init(nodeName: String, healthScore: Int = 0, members: [Member] = [], kvEntries: [KVEntry] = [],
                history: History? = nil, rings: [RingView] = []) {
        self.nodeName = nodeName
        self.healthScore = healthScore
        self.members = members.sorted { $0.name < $1.name }
        self.kvEntries = kvEntries.sorted { $0.key < $1.key }
        self.history = history
        self.rings = rings
    }

    /// Members counted as dskit's page does (alive or suspect).
    public var liveMemberCount: Int { members.filter { $0.state <= 1 }.count }

    public func message(id: UInt64) -> Message? {
        history.flatMap { history in (history.received + history.sent).first { $0.id == id } }
    }
}
