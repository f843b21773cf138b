/// Why a message body could not be decoded (memberlist-wire.md §1-2, §4.2).
public enum MessageDecodeError: Error, Hashable, Sendable {
    /// No type byte at all.
    case empty
    /// A type byte memberlist does not define.
    case unknownType(UInt8)
    /// A framing type (compound, compress, encrypt, hasCrc, hasLabel) where a plain message was expected.
    case notAMessage(MessageType)
    /// A msgpack problem inside struct `message`, at Go field `field` ("<map>" for the map header).
    case field(message: String, field: String, MessagePackError)
    /// A well-formed value that the field cannot hold (e.g. an unknown node State).
    case invalidValue(message: String, field: String, found: Int64)
    /// A declared count or length above memberlist's limit (§4.2, §11).
    case limitExceeded(field: String, limit: Int, found: Int)
    /// Fewer raw bytes than a header declared (push/pull user state, user message).
    case truncatedPayload(field: String, declared: Int, available: Int)
}

extension MessageDecodeError {
    /// True when more input could complete the message (incremental stream decoding).
    public var isTruncation: Bool {
        switch self {
        case .field(_, _, let inner): return inner.isTruncation
        case .truncatedPayload, .empty: return true
        default: return false
        }
    }
}
