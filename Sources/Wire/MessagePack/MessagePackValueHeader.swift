/// The shape of one msgpack value read from its format byte and length field
/// alone (memberlist-wire.md §2.3): how many header bytes it has, how many raw
/// payload bytes follow, and how many child values a map or array holds. The one
/// place that knows the format table's sizes, used by `MessagePackReader.skipValue`
/// and by the resumable `MessagePackSkipper` of incremental stream decoding.
struct MessagePackValueHeader {
    /// Format byte plus length field.
    var headerLength: Int
    /// Raw bytes after the header (string, binary, ext or scalar body).
    var payloadLength: Int
    /// Values nested inside: a map counts keys and values.
    var children: Int

    /// Reads the header at `offset`; nil when `bytes` ends inside it.
    /// - Throws: `.reservedFormat` for 0xc1 (never valid), `.unexpectedFormat` for none other.
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(MessagePackError) -> MessagePackValueHeader? {
        guard offset < bytes.count else { return nil }
        let format = bytes[offset]
        func field(_ width: Int) -> Int? {
            guard bytes.count - offset - 1 >= width else { return nil }
            var value = 0
            for index in 0..<width { value = value << 8 | Int(bytes[offset + 1 + index]) }
            return value
        }
        switch format {
        case 0x00...0x7f, 0xe0...0xff, MessagePackFormat.nilValue, MessagePackFormat.falseValue, MessagePackFormat.trueValue:
            return MessagePackValueHeader(headerLength: 1, payloadLength: 0, children: 0)
        case 0x80...0x8f: return MessagePackValueHeader(headerLength: 1, payloadLength: 0, children: 2 * Int(format & 0x0f))
        case 0x90...0x9f: return MessagePackValueHeader(headerLength: 1, payloadLength: 0, children: Int(format & 0x0f))
        case 0xa0...0xbf: return MessagePackValueHeader(headerLength: 1, payloadLength: Int(format & 0x1f), children: 0)
        case MessagePackFormat.reserved: throw .reservedFormat(offset: offset)
        case MessagePackFormat.bin8, MessagePackFormat.str8: return field(1).map { .init(headerLength: 2, payloadLength: $0, children: 0) }
        case MessagePackFormat.bin16, MessagePackFormat.str16: return field(2).map { .init(headerLength: 3, payloadLength: $0, children: 0) }
        case MessagePackFormat.bin32, MessagePackFormat.str32: return field(4).map { .init(headerLength: 5, payloadLength: $0, children: 0) }
        case MessagePackFormat.ext8: return field(1).map { .init(headerLength: 2, payloadLength: 1 + $0, children: 0) }
        case MessagePackFormat.ext16: return field(2).map { .init(headerLength: 3, payloadLength: 1 + $0, children: 0) }
        case MessagePackFormat.ext32: return field(4).map { .init(headerLength: 5, payloadLength: 1 + $0, children: 0) }
        case MessagePackFormat.float32: return MessagePackValueHeader(headerLength: 1, payloadLength: 4, children: 0)
        case MessagePackFormat.float64: return MessagePackValueHeader(headerLength: 1, payloadLength: 8, children: 0)
        case MessagePackFormat.uint8, MessagePackFormat.int8: return MessagePackValueHeader(headerLength: 1, payloadLength: 1, children: 0)
        case MessagePackFormat.uint16, MessagePackFormat.int16: return MessagePackValueHeader(headerLength: 1, payloadLength: 2, children: 0)
        case MessagePackFormat.uint32, MessagePackFormat.int32: return MessagePackValueHeader(headerLength: 1, payloadLength: 4, children: 0)
        case MessagePackFormat.uint64, MessagePackFormat.int64: return MessagePackValueHeader(headerLength: 1, payloadLength: 8, children: 0)
        case MessagePackFormat.fixext1...MessagePackFormat.fixext16:
            return MessagePackValueHeader(headerLength: 1, payloadLength: 1 + (1 << Int(format - MessagePackFormat.fixext1)), children: 0)
        case MessagePackFormat.array16: return field(2).map { .init(headerLength: 3, payloadLength: 0, children: $0) }
        case MessagePackFormat.array32: return field(4).map { .init(headerLength: 5, payloadLength: 0, children: $0) }
        case MessagePackFormat.map16: return field(2).map { .init(headerLength: 3, payloadLength: 0, children: 2 * $0) }
        case MessagePackFormat.map32: return field(4).map { .init(headerLength: 5, payloadLength: 0, children: 2 * $0) }
        default: throw .unexpectedFormat(offset: offset, expected: "msgpack value", found: format)
        }
    }
}
