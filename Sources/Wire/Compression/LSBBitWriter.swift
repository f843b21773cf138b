/// Packs variable-width codes least-significant-bit first, as Go's `lzw.LSB` order does
/// (memberlist-wire.md §6).
struct LSBBitWriter {
    private(set) var bytes: [UInt8] = []
    private var pending: UInt32 = 0
    private var pendingCount = 0

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
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
    mutating func finish() -> [UInt8] {
        if pendingCount > 0 {
            bytes.append(UInt8(truncatingIfNeeded: pending))
            pending = 0
            pendingCount = 0
        }
        return bytes
    }
}
