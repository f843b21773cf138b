/// Why a UDP packet (or dskit packet payload) was dropped or could not be built
/// (memberlist-wire.md §3).
public enum PacketError: Error, Hashable, Sendable {
    /// Nothing left to decode.
    case empty
    /// Label header `f4 LL label`: LL is 0 (§3.2).
    case emptyLabel
    /// Label header cut off.
    case truncatedLabel(declared: Int, available: Int)
    /// Local label longer than 255 bytes.
    case labelTooLong(length: Int)
    /// The packet carried a different label than ours.
    case labelMismatch(expected: [UInt8], found: [UInt8])
    /// We have a label and the packet has none.
    case missingLabel(expected: [UInt8])
    /// SkipInboundLabelCheck is set yet the packet carried a label ("double label", §3.2).
    case unexpectedLabel(found: [UInt8])
    /// Decryption with every key failed (and GossipVerifyIncoming requires it).
    case decryptionFailed(reason: String)
    /// Encryption of an outgoing packet failed.
    case encryptionFailed(reason: String)
    /// hasCrc wrapper shorter than its 5 bytes.
    case truncatedChecksum(available: Int)
    /// CRC32 of the payload does not match the header.
    case checksumMismatch(expected: UInt32, computed: UInt32)
    /// Compound (type 7) without a count byte, or with fewer bytes than its length table (§3.5).
    case compoundTooShort(declaredParts: Int, available: Int)
    /// A type byte memberlist does not define.
    case unknownType(UInt8)
    /// A type that is never valid in a packet: pushPull, encrypt, err, or hasCrc below the outer layer (§1).
    case disallowedType(MessageType, depth: Int)
    /// compress/compound nested deeper than the limit.
    case nestingTooDeep(limit: Int)
    /// compress.Algo names no algorithm we know.
    case unknownCompression(algorithm: UInt8)
    /// The compressed data was malformed or exceeded the size limit.
    case decompressionFailed(reason: String)
    /// The compress layers of one packet inflated past what the sender could have built
    /// (the transport's packet limit, or what the node's inflation budget allows now).
    case inflationLimitExceeded(limit: Int)
    /// Decompression produced no bytes (newest memberlist rejects this, §11).
    case emptyDecompressed
    /// A message body failed to decode.
    case message(MessageDecodeError)
}
