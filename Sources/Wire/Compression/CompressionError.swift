/// Why a compressed buffer could not be decoded (memberlist-wire.md §6).
public enum CompressionError: Error, Equatable, Sendable {
    /// An LZW code that is neither a literal, clear, EOF nor an already defined
    /// dictionary entry; `offset` is the byte offset in the input where the code starts.
    case invalidCode(offset: Int)
    /// The LZW stream ended before its EOF code.
    case unexpectedEnd
    /// Decoding would produce more than `limit` bytes.
    case outputLimitExceeded(limit: Int)
    /// A compress message decoded to nothing; it cannot hold a message type byte.
    case emptyOutput
    /// The buffer is not a valid snappy block (bad varint, bad tag, bad copy offset,
    /// or a length that disagrees with the header).
    case invalidSnappyBlock
    /// A compress message named an algorithm this node does not implement.
    case unknownAlgorithm(UInt8)
}
