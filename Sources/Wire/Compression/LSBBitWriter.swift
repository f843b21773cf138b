/// Packs variable-width codes least-significant-bit first, as Go's `lzw.LSB` order does
/// (memberlist-wire.md §6). `reset` keeps the byte buffer's capacity, so a writer reused
/// for every packet allocates only while its buffer grows to the largest packet seen.
struct LSBBitWriter {
    private(set) var bytes: [UInt8] = []
    private var pending: UInt32 = 0
    private var pendingCount = 0

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Empties the writer for the next stream, keeping its storage.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        pending = 0
        pendingCount = 0
    }

    /// Gives up storage above `retainedCapacity` bytes, so one huge stream does not pin it.
    mutating func release(above retainedCapacity: Int) {
        if bytes.capacity > retainedCapacity { bytes = [] }
    }

    /// Appends the low `width` bits of `code` (width ≤ 12, so at most 19 bits are pending).
    mutating func write(_ code: UInt16, width: Int) {
        pending |= UInt32(code) << UInt32(pendingCount)
        pendingCount += width
        while pendingCount >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: pending))
            pending >>= 8
            pendingCount -= 8
        }
    }

    /// Emits the last partial byte, zero-padded in its high bits.
    mutating func flush() {
        if pendingCount > 0 {
            bytes.append(UInt8(truncatingIfNeeded: pending))
            pending = 0
            pendingCount = 0
        }
    }
}
