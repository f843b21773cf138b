/// Decides which user-message payloads (type 8, memberlist-wire.md §3.6) a
/// node delivers and re-gossips: each distinct payload once. memberlist itself
/// never relays a user message (its origin sends it retransmit-limit times,
/// §7.2); Serf and dskit re-queue what is new to them (dskit's KV re-gossips
/// only what changed its state, and for an opaque payload "changed" means
/// "new"), so a broadcast reaches the whole cluster. Node and simulator share
/// this rule so the simulator tests what ships.
///
/// Identity is exact: a fingerprint only picks the bucket, the payload bytes
/// decide, so two distinct payloads whose fingerprints collide are both
/// delivered. Memory is bounded in entries and in payload bytes; the oldest
/// payload is forgotten first (FIFO). A payload larger than the whole byte
/// budget cannot be remembered, so it is refused and counted in
/// `oversizedDrops` (relaying it unremembered would echo it forever).
public struct UserMessageRelay: Sendable {
    /// Fingerprint of a payload; only selects a bucket.
    public typealias Fingerprint = @Sendable ([UInt8]) -> Int

    /// Most payloads remembered at once.
    public let maxEntries: Int
    /// Most payload bytes remembered at once.
    public let maxBytes: Int
    /// Payloads currently remembered.
    public var count: Int { entries.count - head }
    /// Payload bytes currently remembered.
    public private(set) var storedBytes = 0
    /// Payloads refused because they exceed `maxBytes` on their own.
    public private(set) var oversizedDrops = 0

    private let fingerprint: Fingerprint
    /// Remembered payloads, oldest at `head` (a queue without a Deque type).
    private var entries: [Entry] = []
    private var head = 0
    /// Fingerprint → the remembered payloads with that fingerprint (usually one).
    private var buckets: [Int: [[UInt8]]] = [:]

    private struct Entry: Sendable {
        var fingerprint: Int
        var payload: [UInt8]
    }

    /// The Node's default bounds: 4096 payloads, 8 MiB.
    public init(maxEntries: Int = 4096, maxBytes: Int = 8 << 20, fingerprint: @escaping Fingerprint = UserMessageRelay.hash) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
        self.fingerprint = fingerprint
    }

    /// The default fingerprint: the standard library's (seeded) hash of the bytes.
    public static func hash(_ payload: [UInt8]) -> Int {
        var hasher = Hasher()
        payload.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// Whether `payload` is remembered now.
    public func contains(_ payload: [UInt8]) -> Bool {
        buckets[fingerprint(payload)]?.contains(payload) ?? false
    }

    /// Records `payload`; true when it was not remembered (deliver and relay
    /// it), false for a repeat or an oversized payload.
    public mutating func firstSighting(_ payload: [UInt8]) -> Bool {
        guard payload.count <= maxBytes else {
            oversizedDrops += 1
            return false
        }
        let key = fingerprint(payload)
        if let bucket = buckets[key], bucket.contains(payload) { return false }
        while count >= maxEntries || storedBytes + payload.count > maxBytes { forgetOldest() }
        buckets[key, default: []].append(payload)
        entries.append(Entry(fingerprint: key, payload: payload))
        storedBytes += payload.count
        return true
    }

    private mutating func forgetOldest() {
        let oldest = entries[head]
        head += 1
        storedBytes -= oldest.payload.count
        if var bucket = buckets[oldest.fingerprint], let position = bucket.firstIndex(of: oldest.payload) {
            bucket.remove(at: position)
            buckets[oldest.fingerprint] = bucket.isEmpty ? nil : bucket
        }
        // Compact once the forgotten prefix dominates (amortised O(1)).
        if head >= 64 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
