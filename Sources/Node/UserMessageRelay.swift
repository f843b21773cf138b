/// Remembers which user-message payloads this node has already seen, so each
/// distinct payload is delivered and re-broadcast once (dskit's KV re-gossips
/// only what changed its state; for opaque payloads "changed" means "new").
/// Bounded: the oldest of `capacity` fingerprints is forgotten first.
struct UserMessageRelay {
    private var seen: Set<Int> = []
    private var order: [Int]
    private var next = 0
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
        order = []
        order.reserveCapacity(self.capacity)
        seen.reserveCapacity(self.capacity)
    }

    /// Records `payload`; true when it was not seen before.
    mutating func firstSighting(_ payload: [UInt8]) -> Bool {
        var hasher = Hasher()
        hasher.combine(payload.count)
        payload.withUnsafeBytes { hasher.combine(bytes: $0) }
        let fingerprint = hasher.finalize()
        guard !seen.contains(fingerprint) else { return false }
        if order.count < capacity {
            order.append(fingerprint)
        } else {
            seen.remove(order[next])
            order[next] = fingerprint
            next = (next + 1) % capacity
        }
        seen.insert(fingerprint)
        return true
    }
}
