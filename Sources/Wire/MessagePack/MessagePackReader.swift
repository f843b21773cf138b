/// A cursor that reads msgpack values straight out of borrowed bytes, the way
/// go-msgpack's decoder accepts them (memberlist-wire.md §2.3): every integer
/// form with range checks, every string/binary form, nil, arrays of small ints
/// for byte fields, bools from 0/1, and skipping of unknown values with a depth
/// limit. Every length is checked against the remaining bytes before it is used,
/// so a hostile length never causes a read past the end or a large allocation.
///
/// The reader does not own its bytes: it is valid only while they are.
public struct MessagePackReader {
    /// Deepest nesting `skipValue` follows before giving up.
    public static let defaultDepthLimit = 32

    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    public private(set) var offset: Int
    public let depthLimit: Int
    /// Where `readNodeName` looks names up; disabled unless a caller moves its own table in
    /// (with `swap`, so the table stays uniquely referenced and is never copied).
    public var nameInterner = NodeNameInterner.disabled

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0, depthLimit: Int = MessagePackReader.defaultDepthLimit) {
        (self.bytes, self.offset, self.depthLimit) = (bytes, offset, depthLimit)
    }

    /// Bytes not read yet.
    @inlinable public var remaining: Int { bytes.count - offset }
    @inlinable public var isAtEnd: Bool { offset >= bytes.count }

    // MARK: Primitive access

    @usableFromInline mutating func require(_ count: Int, at start: Int) throws(MessagePackError) {
        guard count >= 0, count <= bytes.count - offset else {
            throw .truncated(offset: start, needed: count, available: max(0, bytes.count - offset))
        }
    }

    @usableFromInline mutating func readByte() throws(MessagePackError) -> UInt8 {
        try require(1, at: offset)
        let byte = bytes[offset]
        offset += 1
        return byte
    }

    /// Reads an n-byte big-endian unsigned value (n ≤ 8).
    @usableFromInline mutating func readBigEndian(_ width: Int) throws(MessagePackError) -> UInt64 {
        try require(width, at: offset)
        var value: UInt64 = 0
        for index in 0..<width { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += width
        return value
    }

    /// Takes `count` bytes as a view; `start` is the value's offset for error reports.
    @usableFromInline mutating func take(_ count: Int, valueStart start: Int) throws(MessagePackError) -> UnsafeRawBufferPointer {
        try require(count, at: start)
        let view = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return view
    }

    /// The next format byte without consuming it.
    public func peekFormat() throws(MessagePackError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset, needed: 1, available: 0) }
        return bytes[offset]
    }

    // MARK: Containers

    /// A map header (fixmap, map16, map32); nil counts as an empty map, as Go decodes nil into a zero struct.
    public mutating func readMapCount() throws(MessagePackError) -> Int {
        let start = offset
        let format = try readByte()
        switch format {
        case 0x80...0x8f: return Int(format & 0x0f)
        case MessagePackFormat.map16: return Int(try readBigEndian(2))
        case MessagePackFormat.map32: return Int(try readBigEndian(4))
        case MessagePackFormat.nilValue: return 0
        default: throw .unexpectedFormat(offset: start, expected: "map", found: format)
        }
    }

    /// An array header (fixarray, array16, array32); nil counts as empty.
    public mutating func readArrayCount() throws(MessagePackError) -> Int {
        let start = offset
        let format = try readByte()
        switch format {
        case 0x90...0x9f: return Int(format & 0x0f)
        case MessagePackFormat.array16: return Int(try readBigEndian(2))
        case MessagePackFormat.array32: return Int(try readBigEndian(4))
        case MessagePackFormat.nilValue: return 0
        default: throw .unexpectedFormat(offset: start, expected: "array", found: format)
        }
    }

    // MARK: Strings and bytes

    /// A string or binary value as a view into the input; nil for msgpack nil.
    /// Accepts fixstr, str8/16/32 and bin8/16/32.
    public mutating func readRawView() throws(MessagePackError) -> UnsafeRawBufferPointer? {
        let start = offset
        let format = try readByte()
        let length: Int
        switch format {
        case 0xa0...0xbf: length = Int(format & 0x1f)
        case MessagePackFormat.str8, MessagePackFormat.bin8: length = Int(try readBigEndian(1))
        case MessagePackFormat.str16, MessagePackFormat.bin16: length = Int(try readBigEndian(2))
        case MessagePackFormat.str32, MessagePackFormat.bin32: length = Int(try readBigEndian(4))
        case MessagePackFormat.nilValue: return nil
        default:
            offset = start
            throw .unexpectedFormat(offset: start, expected: "string or bytes", found: format)
        }
        return try take(length, valueStart: start)
    }

    /// A map key: any string form.
    public mutating func readKey() throws(MessagePackError) -> MessagePackKey {
        let start = offset
        guard let view = try readRawView() else {
            throw .unexpectedFormat(offset: start, expected: "string key", found: MessagePackFormat.nilValue)
        }
        return MessagePackKey(bytes: view, offset: start)
    }

    /// A Go string. Nil decodes to "". Go strings are byte strings; invalid UTF-8
    /// is repaired with U+FFFD rather than rejected, as Go would accept it.
    public mutating func readString() throws(MessagePackError) -> String {
        guard let view = try readRawView() else { return "" }
        return String(decoding: view, as: UTF8.self)
    }

    /// A node name (Node, SourceNode, From, Name): decoded as `readString` does, but
    /// through `nameInterner`, so a name seen before allocates nothing. A name longer than
    /// `WireLimits.maxNodeNameLength` bytes is an error (the message is malformed), counted
    /// after invalid UTF-8 is repaired: each bad byte becomes the 3-byte U+FFFD, and a name
    /// accepted here must still be accepted when this node gossips it on.
    public mutating func readNodeName() throws(MessagePackError) -> String {
        let start = offset
        guard let view = try readRawView() else { return "" }
        guard view.count <= WireLimits.maxNodeNameLength else {
            throw .unsignedOutOfRange(offset: start, expected: "node name of at most \(WireLimits.maxNodeNameLength) bytes",
                                      found: UInt64(view.count))
        }
        let name = nameInterner.name(decoding: view)
        guard name.utf8.count <= WireLimits.maxNodeNameLength else {
            throw .unsignedOutOfRange(offset: start,
                                      expected: "node name of at most \(WireLimits.maxNodeNameLength) bytes once invalid UTF-8 is replaced by U+FFFD",
                                      found: UInt64(name.utf8.count))
        }
        return name
    }

    /// A Go `[]byte`: nil → nil; any string/binary form; or an array of ints 0...255 (§2.3).
    public mutating func readBytes() throws(MessagePackError) -> [UInt8]? {
        let format = try peekFormat()
        if (0x90...0x9f).contains(format) || format == MessagePackFormat.array16 || format == MessagePackFormat.array32 {
            let start = offset
            let count = try readArrayCount()
            // Every element takes at least one byte: refuse a count the input cannot hold before allocating.
            guard count <= remaining else { throw .truncated(offset: start, needed: count, available: remaining) }
            var result = [UInt8]()
            result.reserveCapacity(count)
            for _ in 0..<count { result.append(UInt8(try readUnsigned(max: UInt64(UInt8.max), expected: "byte 0...255"))) }
            return result
        }
        guard let view = try readRawView() else { return nil }
        return [UInt8](view)
    }

    /// An IP address field (Addr, Target, SourceAddr): nil or empty → count 0; more than 16 bytes is an error.
    public mutating func readAddress() throws(MessagePackError) -> IPAddress {
        let start = offset
        let format = try peekFormat()
        if (0xa0...0xbf).contains(format) || (0xc4...0xc6).contains(format) || (0xd9...0xdb).contains(format) || format == MessagePackFormat.nilValue {
            guard let view = try readRawView() else { return IPAddress() }
            guard let address = IPAddress(bytes: view) else {
                throw .unsignedOutOfRange(offset: start, expected: "IP address of at most 16 bytes", found: UInt64(view.count))
            }
            return address
        }
        let bytes = try readBytes() ?? []
        guard let address = IPAddress(bytes: bytes) else {
            throw .unsignedOutOfRange(offset: start, expected: "IP address of at most 16 bytes", found: UInt64(bytes.count))
        }
        return address
    }

    // MARK: Scalars

    /// Any msgpack integer, unsigned forms as `.unsigned`, signed forms (and negative fixints) as `.signed`.
    @usableFromInline enum Integer {
        case unsigned(UInt64)
        case signed(Int64)
    }

    @usableFromInline mutating func readInteger(expected: String) throws(MessagePackError) -> Integer {
        let start = offset
        let format = try readByte()
        switch format {
        case 0x00...0x7f: return .unsigned(UInt64(format))
        case 0xe0...0xff: return .signed(Int64(Int8(bitPattern: format)))
        case MessagePackFormat.uint8: return .unsigned(try readBigEndian(1))
        case MessagePackFormat.uint16: return .unsigned(try readBigEndian(2))
        case MessagePackFormat.uint32: return .unsigned(try readBigEndian(4))
        case MessagePackFormat.uint64: return .unsigned(try readBigEndian(8))
        case MessagePackFormat.int8: return .signed(Int64(Int8(truncatingIfNeeded: try readBigEndian(1))))
        case MessagePackFormat.int16: return .signed(Int64(Int16(truncatingIfNeeded: try readBigEndian(2))))
        case MessagePackFormat.int32: return .signed(Int64(Int32(truncatingIfNeeded: try readBigEndian(4))))
        case MessagePackFormat.int64: return .signed(Int64(bitPattern: try readBigEndian(8)))
        default:
            offset = start
            throw .unexpectedFormat(offset: start, expected: expected, found: format)
        }
    }

    /// An unsigned field (uint8/16/32/64): any integer form whose value is in 0...max.
    public mutating func readUnsigned(max: UInt64, expected: String) throws(MessagePackError) -> UInt64 {
        let start = offset
        switch try readInteger(expected: expected) {
        case .unsigned(let value):
            guard value <= max else { throw .unsignedOutOfRange(offset: start, expected: expected, found: value) }
            return value
        case .signed(let value):
            guard value >= 0, UInt64(value) <= max else { throw .integerOutOfRange(offset: start, expected: expected, found: value) }
            return UInt64(value)
        }
    }

    /// A signed field (Go `int`): any integer form whose value is in `range`.
    public mutating func readSigned(in range: ClosedRange<Int64>, expected: String) throws(MessagePackError) -> Int64 {
        let start = offset
        switch try readInteger(expected: expected) {
        case .unsigned(let value):
            guard value <= UInt64(Int64.max), range.contains(Int64(value)) else {
                throw .unsignedOutOfRange(offset: start, expected: expected, found: value)
            }
            return Int64(value)
        case .signed(let value):
            guard range.contains(value) else { throw .integerOutOfRange(offset: start, expected: expected, found: value) }
            return value
        }
    }

    public mutating func readUInt32(_ expected: String = "uint32") throws(MessagePackError) -> UInt32 {
        UInt32(try readUnsigned(max: UInt64(UInt32.max), expected: expected))
    }

    public mutating func readUInt16(_ expected: String = "uint16") throws(MessagePackError) -> UInt16 {
        UInt16(try readUnsigned(max: UInt64(UInt16.max), expected: expected))
    }

    public mutating func readUInt8(_ expected: String = "uint8") throws(MessagePackError) -> UInt8 {
        UInt8(try readUnsigned(max: UInt64(UInt8.max), expected: expected))
    }

    /// A Go `int` (64-bit on the platforms memberlist runs on).
    public mutating func readInt(_ expected: String = "int") throws(MessagePackError) -> Int {
        Int(try readSigned(in: Int64(Int.min)...Int64(Int.max), expected: expected))
    }

    /// A bool: 0xc2/0xc3, or an integer 0/1 (§2.3); nil is false.
    public mutating func readBool() throws(MessagePackError) -> Bool {
        let start = offset
        let format = try peekFormat()
        switch format {
        case MessagePackFormat.falseValue, MessagePackFormat.nilValue: offset += 1; return false
        case MessagePackFormat.trueValue: offset += 1; return true
        default:
            let value = try readSigned(in: 0...1, expected: "bool")
            _ = start
            return value == 1
        }
    }

    // MARK: Skipping

    /// Skips one value of any type, including nested maps and arrays up to `depthLimit`.
    public mutating func skipValue() throws(MessagePackError) {
        try skipValue(depth: 0)
    }

    @usableFromInline mutating func skipValue(depth: Int) throws(MessagePackError) {
        let start = offset
        guard let header = try MessagePackValueHeader.read(bytes, at: start) else {
            throw .truncated(offset: start, needed: 1, available: remaining)
        }
        offset += header.headerLength
        try require(header.payloadLength, at: start)
        offset += header.payloadLength
        guard header.children > 0 else { return }
        guard depth < depthLimit else { throw .nestingTooDeep(offset: start, limit: depthLimit) }
        // Each child needs at least one byte; a count beyond the input is truncation, not a long loop.
        guard header.children <= remaining else { throw .truncated(offset: start, needed: header.children, available: remaining) }
        for _ in 0..<header.children { try skipValue(depth: depth + 1) }
    }
}
