/// Reads variable-width codes least-significant-bit first (Go's `lzw.LSB` order,
/// memberlist-wire.md §6), never past the end of its buffer.
struct LSBBitReader {
    private let input: UnsafeRawBufferPointer
    private var position = 0
    private var pending: UInt32 = 0
    private var pendingCount = 0

    init(_ input: UnsafeRawBufferPointer) {
        self.input = input
    }

    /// Byte offset of the first bit the next `read` returns.
    var bitOffsetInBytes: Int {
        (position * 8 - pendingCount) / 8
    }

    /// The next `width`-bit code, or nil when the input runs out first.
    mutating func read(width: Int) -> UInt16? {
        while pendingCount < width {
            guard position < input.count else { return nil }
            pending |= UInt32(input[position]) << UInt32(pendingCount)
            position += 1
            pendingCount += 8
        }
        let code = UInt16(truncatingIfNeeded: pending & ((1 << UInt32(width)) - 1))
        pending >>= UInt32(width)
        pendingCount -= width
        return code
    }
}
