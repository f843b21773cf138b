/// A bounded cache of decoded node names, so that a steady-state packet whose names are
/// longer than Swift's 15-byte inline string decodes without a heap allocation (issue #4).
///
/// Gossip carries the same few names over and over (Node/SourceNode of ping, indirect
/// ping, suspect, alive and dead, memberlist-wire.md §2.4). Kubernetes pod names such as
/// `pyroscope-ingester-0-7f9c2` are longer than 15 bytes, so without a cache each one
/// decoded is a new heap `String`. With it, a name seen before is returned as the cached
/// `String` (a retain, no allocation); a new name is decoded as before and cached.
///
/// Layout: an open-addressed table of `capacity` slots (a power of two). A name's home slot
/// is its hash masked to the table; it may live in any of the `probeWindow` slots that
/// follow, wrapping. Each slot keeps 32 bits of the hash as a tag, so a probe touches a
/// cached string only when the tags agree, and then compares byte-for-byte, never trusting
/// the hash alone.
///
/// Eviction rule: a new name takes the first empty slot of its window; when all are full,
/// it replaces one of them in round-robin order (a counter shared by all windows), so a set
/// of colliding names can only cause misses, never an unbounded table.
///
/// Memory bound: `capacity` slots of 20 bytes (80 KiB at the default), allocated on the
/// first name that is cached, plus at most `capacity` strings of at most
/// `maxInternedLength` bytes each. Longer names, invalid UTF-8 and names of at most 15
/// bytes are never cached: they decode exactly as `String(decoding:as:)` does.
///
/// Pure: no IO, no clock, no global state. A capacity of 0 disables caching.
public struct NodeNameInterner: Sendable {
    /// Slots in a node's table: enough for a cluster of a few thousand members.
    public static let defaultCapacity = 4096
    /// Largest table `init(capacity:)` builds.
    public static let maximumCapacity = 1 << 16
    /// Consecutive slots a name may occupy, starting at its home slot.
    public static let probeWindow = 4
    /// Longest name cached. Kubernetes names are at most 253 bytes; longer names from a
    /// hostile or odd peer decode uncached so they cannot pin large strings.
    public static let maxInternedLength = 255
    /// Longest UTF-8 string Swift stores inline (no heap) on 64-bit platforms.
    public static let inlineStringLimit = 15

    /// Number of slots (0: caching disabled).
    public let capacity: Int
    /// Cached names; "" in an empty slot.
    private var slots: [String] = []
    /// Per slot, the high 32 bits of the cached name's hash with the low bit set, so 0
    /// marks an empty slot.
    private var tags: [UInt32] = []
    /// Which slot of a full window the next eviction takes.
    private var nextVictim = 0

    /// Names currently cached (at most `capacity`).
    public private(set) var count = 0
    /// Lookups answered from the table.
    public private(set) var hits: UInt64 = 0
    /// Cacheable names that were not in the table and were decoded and stored.
    public private(set) var misses: UInt64 = 0
    /// Cached names replaced by a newer one in a full window.
    public private(set) var evictions: UInt64 = 0

    /// A table of `capacity` slots, rounded up to a power of two (at most `maximumCapacity`);
    /// 0 or less disables caching. Nothing is allocated until the first name is cached.
    public init(capacity: Int = NodeNameInterner.defaultCapacity) {
        if capacity <= 0 {
            self.capacity = 0
        } else {
            let bounded = min(capacity, Self.maximumCapacity)
            var power = 1
            while power < bounded { power <<= 1 }
            self.capacity = power
        }
    }

    /// An interner that caches nothing: every name decodes to a new `String`, as before.
    public static var disabled: NodeNameInterner { NodeNameInterner(capacity: 0) }

    /// The name whose UTF-8 bytes are `bytes`, decoded as `String(decoding:as: UTF8.self)`
    /// would (invalid UTF-8 repaired with U+FFFD), from the table when it is there.
    public mutating func name(decoding bytes: UnsafeRawBufferPointer) -> String {
        guard isCacheable(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        let hash = Self.hash(bytes)
        let home = Int(truncatingIfNeeded: hash) & (capacity - 1)
        let probe = self.probe(bytes, hash: hash)
        if let hit = probe.hit {
            hits &+= 1
            return hit
        }
        // Only valid UTF-8 is cached, so a cached name's bytes always equal its key.
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        misses &+= 1
        if slots.isEmpty {
            slots = [String](repeating: "", count: capacity)
            tags = [UInt32](repeating: 0, count: capacity)
        }
        let index: Int
        if let empty = probe.firstEmpty ?? (probe.windowWasEmpty ? home : nil) {
            index = empty
            count += 1
        } else {
            index = (home + nextVictim) & (capacity - 1)
            nextVictim = (nextVictim + 1) % min(Self.probeWindow, capacity)
            evictions &+= 1
        }
        slots[index] = decoded
        tags[index] = probe.tag
        return decoded
    }

    /// The cached name for `bytes`, without caching it or counting a hit (nil if absent).
    public func cached(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard isCacheable(bytes) else { return nil }
        return probe(bytes, hash: Self.hash(bytes)).hit
    }

    /// Whether a name of these bytes may live in the table at all (length rules only).
    private func isCacheable(_ bytes: UnsafeRawBufferPointer) -> Bool {
        capacity > 0 && bytes.count > Self.inlineStringLimit && bytes.count <= Self.maxInternedLength
    }

    /// Searches the window of `hash`'s home slot: the matching name, or else the first
    /// empty slot; `windowWasEmpty` when the table is not allocated yet (every slot is free).
    private func probe(_ bytes: UnsafeRawBufferPointer, hash: UInt64)
        -> (hit: String?, firstEmpty: Int?, windowWasEmpty: Bool, tag: UInt32) {
        let tag = UInt32(truncatingIfNeeded: hash >> 32) | 1
        guard !slots.isEmpty else { return (nil, nil, true, tag) }
        let home = Int(truncatingIfNeeded: hash) & (capacity - 1)
        var firstEmpty: Int?
        for step in 0..<min(Self.probeWindow, capacity) {
            let index = (home + step) & (capacity - 1)
            let slotTag = tags[index]
            if slotTag == tag {
                let cached = slots[index]
                if Self.sameBytes(cached, bytes) { return (cached, nil, false, tag) }
            } else if slotTag == 0, firstEmpty == nil {
                firstEmpty = index
            }
        }
        return (nil, firstEmpty, false, tag)
    }

    /// A 64-bit hash of the bytes, eight at a time (a name is hashed on every lookup, so
    /// byte-at-a-time FNV would cost more than the allocation it saves). Seeded with the
    /// length, finished with MurmurHash3's fmix64 so the low bits (the home slot) depend on
    /// every byte. A crafted collision only makes names share a window (see the eviction rule).
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: bytes.count)
        var offset = 0
        while bytes.count - offset >= 8 {
            hash = mix(hash, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << (8 * (index - offset)) }
            hash = mix(hash, tail)
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }

    private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word) &* 0x9e37_79b9_7f4a_7c15
        return product << 29 | product >> 35
    }

    /// Whether `string`'s UTF-8 is exactly `bytes`, compared eight bytes at a time.
    private static func sameBytes(_ string: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard string.utf8.count == bytes.count else { return false }
        if let equal = string.utf8.withContiguousStorageIfAvailable({ utf8 in
            sameBytes(UnsafeRawBufferPointer(utf8), bytes)
        }) {
            return equal
        }
        return string.utf8.elementsEqual(bytes)
    }

    private static func sameBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        guard left.count == right.count else { return false }
        var offset = 0
        while left.count - offset >= 8 {
            guard left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == right.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        while offset < left.count {
            guard left[offset] == right[offset] else { return false }
            offset += 1
        }
        return true
    }
}
