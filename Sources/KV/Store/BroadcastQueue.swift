import Wire

/// A transmit-limited broadcast queue like memberlist's `TransmitLimitedQueue`, holding
/// dskit KV updates (dskit-kv-ring.md 3.5). Each message is sent
/// `retransmitMult × ceil(log10(n + 1))` times for a cluster of n nodes; messages sent
/// fewer times go first, then larger ones, then newer ones (memberlist's queue order).
public struct BroadcastQueue: Sendable {
    struct Item: Sendable {
        var broadcast: KVBroadcast
        var transmits: Int
        var sequence: UInt64
    }

    public let retransmitMult: Int
    private var items: [Item] = []
    private var nextSequence: UInt64 = 0
    /// Queued broadcasts that a newer one made redundant.
    public private(set) var invalidated: Int = 0

    public init(retransmitMult: Int) {
        self.retransmitMult = retransmitMult
    }

    public var count: Int { items.count }
    public var byteCount: Int { items.reduce(0) { $0 + $1.broadcast.message.count } }
    public var broadcasts: [KVBroadcast] { items.map(\.broadcast) }

    /// How many times each message is sent for `nodeCount` members.
    public static func transmitLimit(retransmitMult: Int, nodeCount: Int) -> Int {
        var scale = 0
        var threshold = 1
        // ceil(log10(n + 1)) without floating point: the number of decimal digits of n.
        let n = max(nodeCount, 0)
        while threshold <= n {
            scale += 1
            if threshold > Int.max / 10 { break }
            threshold *= 10
        }
        return retransmitMult * scale
    }

    /// Queues `broadcast`, dropping every queued one it invalidates.
    public mutating func enqueue(_ broadcast: KVBroadcast) {
        let before = items.count
        items.removeAll { broadcast.invalidates($0.broadcast) }
        invalidated += before - items.count
        items.append(Item(broadcast: broadcast, transmits: 0, sequence: nextSequence))
        nextSequence += 1
    }

    /// Takes the messages that fit in `limit` bytes, each costing its length plus `overhead`,
    /// counts a transmission for each and retires those that reached the transmit limit.
    public mutating func take(overhead: Int, limit: Int, nodeCount: Int) -> [[UInt8]] {
        guard !items.isEmpty else { return [] }
        let transmitLimit = Self.transmitLimit(retransmitMult: retransmitMult, nodeCount: nodeCount)
        items.sort { a, b in
            if a.transmits != b.transmits { return a.transmits < b.transmits }
            if a.broadcast.message.count != b.broadcast.message.count {
                return a.broadcast.message.count > b.broadcast.message.count
            }
            return a.sequence > b.sequence
        }
        var remaining = limit
        var taken: [[UInt8]] = []
        var kept: [Item] = []
        kept.reserveCapacity(items.count)
        for var item in items {
            let cost = item.broadcast.message.count + overhead
            guard cost <= remaining else {
                kept.append(item)
                continue
            }
            remaining -= cost
            taken.append(item.broadcast.message)
            item.transmits += 1
            if item.transmits < transmitLimit { kept.append(item) }
        }
        items = kept
        return taken
    }

    /// As `take`, appending each message as a memberlist user message (`.user`) to
    /// `output` and returning the bytes used (memberlist's `GetBroadcasts` shape, so the
    /// node hands the messages to the membership core without copying them).
    public mutating func take(overhead: Int, limit: Int, nodeCount: Int, into output: inout [Message]) -> Int {
        guard !items.isEmpty else { return 0 }
        var used = 0
        for message in take(overhead: overhead, limit: limit, nodeCount: nodeCount) {
            used += message.count + overhead
            output.append(.user(message))
        }
        return used
    }

    /// Whether a queued message was never sent (eager dissemination).
    public var hasUnsent: Bool { items.contains { $0.transmits == 0 } }

    public mutating func removeAll() { items.removeAll() }
}

/// dskit's two queues: local (own CAS and Delete) fills the byte budget first, gossip (deltas
/// of others' updates) gets the rest (dskit-kv-ring.md 3.5).
public struct KVBroadcastQueues: Sendable {
    public var local: BroadcastQueue
    public var gossip: BroadcastQueue

    public init(retransmitMult: Int) {
        local = BroadcastQueue(retransmitMult: retransmitMult)
        gossip = BroadcastQueue(retransmitMult: retransmitMult)
    }

    public mutating func take(overhead: Int, limit: Int, nodeCount: Int) -> [[UInt8]] {
        var messages = local.take(overhead: overhead, limit: limit, nodeCount: nodeCount)
        var remaining = limit
        for message in messages { remaining -= message.count + overhead }
        if remaining > 0 {
            messages += gossip.take(overhead: overhead, limit: remaining, nodeCount: nodeCount)
        }
        return messages
    }

    /// The delegate's `GetBroadcasts`: local first, gossip in the space left; appends user
    /// messages to `output` and returns the bytes used.
    public mutating func take(overhead: Int, limit: Int, nodeCount: Int, into output: inout [Message]) -> Int {
        let used = local.take(overhead: overhead, limit: limit, nodeCount: nodeCount, into: &output)
        guard limit - used > overhead else { return used }
        return used + gossip.take(overhead: overhead, limit: limit - used, nodeCount: nodeCount, into: &output)
    }

    public var hasUnsent: Bool { local.hasUnsent || gossip.hasUnsent }
}
