import Wire

/// memberlist's `TransmitLimitedQueue` (memberlist-wire.md §7.2): each
/// broadcast is sent retransmit-limit times, then dropped; selection takes the
/// fewest-transmitted first, within a tier the largest message that still
/// fits, equal lengths newest first. Queueing a broadcast with the key of a
/// queued one replaces it.
///
/// Entries are kept in one array sorted in that order (Go uses a B-tree with
/// the same key), so a selection is a binary search plus one move.
///
/// Unlike Go, ids are not restarted when the queue becomes empty: Go's
/// restart can hand a new broadcast the id of one still queued, and the
/// B-tree then silently replaces that one. Also unlike Go (unbounded), the
/// owner can `prune` the queue to a bound in entries and bytes (issue #12,
/// queue depths under a broadcast storm).
struct BroadcastQueue {
    struct Entry {
        var transmits: Int
        /// Encoded length in bytes (type byte included).
        let length: Int
        /// Newer broadcasts have larger ids.
        let id: Int64
        let message: Message
        let key: String?
        /// Completion to report when the broadcast is finished (leave/update, §9).
        let notify: OperationID?
    }

    private(set) var entries: [Entry] = []
    /// Encoded bytes of every queued entry.
    private(set) var queuedBytes = 0
    /// Where each keyed broadcast sits: its sort key (transmits, length, id).
    private var positionByKey: [String: (transmits: Int, length: Int, id: Int64)] = [:]
    private var lastID: Int64 = 0
    private var reinsert: [Entry] = []
    /// Operations whose broadcast finished; the core drains this.
    var finishedNotifications: [OperationID] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Queue `message` (encoded length `length`); a keyed broadcast replaces
    /// the queued one with the same key, which counts as finished.
    mutating func enqueue(_ message: Message, length: Int, key: String?, notify: OperationID? = nil) {
        lastID = lastID == .max ? 1 : lastID + 1
        let id = lastID
        if let key, let old = positionByKey[key] {
            let index = lowerBound(transmits: old.transmits, length: old.length, id: old.id)
            if index < entries.count, entries[index].id == old.id {
                let removed = entries.remove(at: index)
                queuedBytes -= removed.length
                positionByKey[key] = nil
                finish(removed)
            }
        }
        insert(Entry(transmits: 0, length: length, id: id, message: message, key: key, notify: notify))
    }

    /// Choose broadcasts for one packet: each costs `overhead` + its length and
    /// all must fit in `limit` bytes (Go's `GetBroadcasts`). Appends the chosen
    /// messages to `output` and returns the bytes used.
    @discardableResult
    mutating func take(overhead: Int, limit: Int, transmitLimit: Int, into output: inout [Message]) -> Int {
        guard let first = entries.first, let last = entries.last else { return 0 }
        var used = 0
        var tier = first.transmits
        let maxTier = last.transmits
        while tier <= maxTier {
            let free = limit - used - overhead
            if free <= 0 { break }
            let index = lowerBound(transmits: tier, length: free, id: .max)
            guard index < entries.count, entries[index].transmits == tier else {
                tier += 1
                continue
            }
            var entry = entries.remove(at: index)
            queuedBytes -= entry.length
            if let key = entry.key { positionByKey[key] = nil }
            used += overhead + entry.length
            output.append(entry.message)
            if entry.transmits + 1 >= transmitLimit {
                finish(entry)
            } else {
                entry.transmits += 1
                reinsert.append(entry)
            }
        }
        for entry in reinsert { insert(entry) }
        reinsert.removeAll(keepingCapacity: true)
        return used
    }

    /// Drop everything (each counts as finished).
    mutating func reset() {
        for entry in entries { finish(entry) }
        entries.removeAll()
        positionByKey.removeAll()
        queuedBytes = 0
        lastID = 0
    }

    /// Drops the broadcasts nearest to their transmit limit (the end of the
    /// order: most transmits, then smallest, then oldest) until at most
    /// `maxEntries` and `maxBytes` remain, as newer memberlist's `Prune`
    /// keeps the latest. Each dropped one counts as finished.
    /// - Returns: how many were dropped.
    mutating func prune(maxEntries: Int, maxBytes: Int) -> Int {
        var dropped = 0
        while let last = entries.last, entries.count > maxEntries || queuedBytes > maxBytes {
            entries.removeLast()
            queuedBytes -= last.length
            if let key = last.key { positionByKey[key] = nil }
            finish(last)
            dropped += 1
        }
        return dropped
    }

    private mutating func finish(_ entry: Entry) {
        if let notify = entry.notify { finishedNotifications.append(notify) }
    }

    private mutating func insert(_ entry: Entry) {
        let index = lowerBound(transmits: entry.transmits, length: entry.length, id: entry.id)
        entries.insert(entry, at: index)
        queuedBytes += entry.length
        if let key = entry.key { positionByKey[key] = (entry.transmits, entry.length, entry.id) }
    }

    /// First index whose entry does not sort before (transmits, length, id):
    /// order is transmits ascending, length descending, id descending.
    private func lowerBound(transmits: Int, length: Int, id: Int64) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let entry = entries[middle]
            let before: Bool
            if entry.transmits != transmits {
                before = entry.transmits < transmits
            } else if entry.length != length {
                before = entry.length > length
            } else {
                before = entry.id > id
            }
            if before { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
