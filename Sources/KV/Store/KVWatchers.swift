/// Watchers of one key and of key prefixes (dskit `WatchKey` / `WatchPrefix`,
/// dskit-kv-ring.md 3.4–3.6). A key watcher holds at most one pending notification (further
/// changes coalesce: the watcher reads the latest value anyway); a prefix watcher holds up to
/// `prefixBufferSize` changed keys and drops the rest, counting drops per prefix
/// (`watch_prefix_dropped_notifications{prefix}`).
public struct KVWatchers: Sendable {
    public struct ID: Hashable, Sendable {
        let raw: UInt64
    }

    enum Kind: Sendable {
        case key(String)
        case prefix(String)
    }

    struct Watcher: Sendable {
        var kind: Kind
        var pending: [String]
    }

    public let prefixBufferSize: Int
    private var watchers: [ID: Watcher] = [:]
    private var nextID: UInt64 = 0
    public private(set) var droppedByPrefix: [String: Int] = [:]

    public init(prefixBufferSize: Int) {
        self.prefixBufferSize = max(prefixBufferSize, 0)
    }

    /// Notifications waiting to be taken, over all watchers (dskit `pending_key_notifications`).
    public var pendingNotifications: Int { watchers.values.reduce(0) { $0 + $1.pending.count } }

    /// The watchers, for delivering what each has pending.
    public var ids: [ID] { Array(watchers.keys) }

    public mutating func watchKey(_ key: String) -> ID { add(.key(key)) }
    public mutating func watchPrefix(_ prefix: String) -> ID { add(.prefix(prefix)) }
    public mutating func unwatch(_ id: ID) { watchers[id] = nil }

    private mutating func add(_ kind: Kind) -> ID {
        let id = ID(raw: nextID)
        nextID += 1
        watchers[id] = Watcher(kind: kind, pending: [])
        return id
    }

    /// Records that `key` changed for every watcher interested in it.
    public mutating func notify(_ key: String) {
        for (id, var watcher) in watchers {
            switch watcher.kind {
            case .key(let watched):
                guard watched == key, watcher.pending.isEmpty else { continue }
                watcher.pending.append(key)
            case .prefix(let prefix):
                guard key.hasPrefix(prefix) else { continue }
                if watcher.pending.count < prefixBufferSize {
                    watcher.pending.append(key)
                } else {
                    droppedByPrefix[prefix, default: 0] += 1
                    continue
                }
            }
            watchers[id] = watcher
        }
    }

    /// The keys that changed for this watcher since the last call, oldest first.
    public mutating func takeNotifications(_ id: ID) -> [String] {
        guard var watcher = watchers[id] else { return [] }
        let pending = watcher.pending
        watcher.pending = []
        watchers[id] = watcher
        return pending
    }
}
