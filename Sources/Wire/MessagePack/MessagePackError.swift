/// Why msgpack bytes could not be read (memberlist-wire.md §2.3). Offsets are
/// relative to the start of the buffer the reader was given.
public enum MessagePackError: Error, Hashable, Sendable {
    /// A value or length field needs `needed` bytes at `offset`, only `available` remain.
    case truncated(offset: Int, needed: Int, available: Int)
    /// The format byte at `offset` is not one the field accepts.
    case unexpectedFormat(offset: Int, expected: String, found: UInt8)
    /// An integer does not fit the field (or is negative for an unsigned field).
    case integerOutOfRange(offset: Int, expected: String, found: Int64)
    /// An unsigned value above Int64.max where a signed one was needed, or above the field's range.
    case unsignedOutOfRange(offset: Int, expected: String, found: UInt64)
    /// Nested maps/arrays deeper than the reader's limit.
    case nestingTooDeep(offset: Int, limit: Int)
    /// 0xc1 is never used by msgpack.
    case reservedFormat(offset: Int)
}

extension MessagePackError {
    /// True when more input could complete the value (used by incremental stream decoding).
    public var isTruncation: Bool {
        if case .truncated = self { return true }
        return false
    }
}
