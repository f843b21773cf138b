/// A cursor over one protobuf message: varints, tags, length-delimited fields and skipping of
/// unknown fields. Every length is checked against the bytes that remain, and every failure
/// is a typed `ProtobufError`.
public struct ProtobufReader {
    @usableFromInline let bytes: ArraySlice<UInt8>
    @usableFromInline var index: Int

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    /// True once every byte of the message has been read.
    public var isAtEnd: Bool { index >= bytes.endIndex }

    /// Reads a base-128 varint of at most ten bytes.
    public mutating func readVarint() throws(ProtobufError) -> UInt64 {
        let start = index
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.endIndex else { throw .truncated(offset: start - bytes.startIndex) }
            let byte = bytes[index]
            index += 1
            if shift == 63 && byte > 1 { throw .malformedVarint(offset: start - bytes.startIndex) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .malformedVarint(offset: start - bytes.startIndex) }
        }
    }

    /// Reads the next tag: `nil` at the end of the message, otherwise the field number and
    /// its wire type.
    public mutating func readTag() throws(ProtobufError) -> ProtobufTag? {
        if isAtEnd { return nil }
        let start = index - bytes.startIndex
        let tag = try readVarint()
        let fieldNumber = tag >> 3
        guard fieldNumber != 0, fieldNumber <= UInt64(UInt32.max >> 3),
              let wireType = ProtobufWireType(rawValue: UInt8(tag & 7)) else {
            throw .invalidTag(offset: start, tag: tag)
        }
        return ProtobufTag(field: UInt32(fieldNumber), wireType: wireType)
    }

    /// Reads the payload of a length-delimited field, checking its length against the input.
    public mutating func readLengthDelimited() throws(ProtobufError) -> ArraySlice<UInt8> {
        let start = index - bytes.startIndex
        let length = try readVarint()
        guard length <= UInt64(Int.max) else { throw .lengthOverflow(offset: start) }
        let count = Int(length)
        guard count <= bytes.endIndex - index else { throw .truncated(offset: start) }
        let payload = bytes[index..<(index + count)]
        index += count
        return payload
    }

    /// Skips the value of a field this schema does not know (proto3 keeps decoding).
    public mutating func skip(_ tag: ProtobufTag) throws(ProtobufError) {
        switch tag.wireType {
        case .varint: _ = try readVarint()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed64: try skipBytes(8)
        case .fixed32: try skipBytes(4)
        }
    }

    private mutating func skipBytes(_ count: Int) throws(ProtobufError) {
        guard count <= bytes.endIndex - index else { throw .truncated(offset: index - bytes.startIndex) }
        index += count
    }
}

/// A field's number and wire type, as read before its value.
public struct ProtobufTag: Sendable {
    public let field: UInt32
    public let wireType: ProtobufWireType

    /// Throws unless the field arrived with the wire type its schema declares.
    @inlinable
    public func expect(_ declared: ProtobufWireType) throws(ProtobufError) {
        if wireType != declared { throw .wrongWireType(field: field, wireType: wireType.rawValue) }
    }
}

/// Typed values of the field just tagged, each checking the declared wire type.
extension ProtobufReader {
    public mutating func readString(_ tag: ProtobufTag) throws(ProtobufError) -> String {
        let payload = try readBytes(tag)
        guard let string = String(validating: payload, as: UTF8.self) else { throw .invalidUTF8(field: tag.field) }
        return string
    }

    /// Bytes, or a sub-message (map entries included) to decode with its own reader.
    public mutating func readBytes(_ tag: ProtobufTag) throws(ProtobufError) -> ArraySlice<UInt8> {
        try tag.expect(.lengthDelimited)
        return try readLengthDelimited()
    }

    /// uint64, and enums and uint32 before their truncation.
    public mutating func readUInt64(_ tag: ProtobufTag) throws(ProtobufError) -> UInt64 {
        try tag.expect(.varint)
        return try readVarint()
    }

    /// int64: two's complement in ten bytes when negative (not zigzag).
    public mutating func readInt64(_ tag: ProtobufTag) throws(ProtobufError) -> Int64 {
        Int64(bitPattern: try readUInt64(tag))
    }

    public mutating func readBool(_ tag: ProtobufTag) throws(ProtobufError) -> Bool {
        try readUInt64(tag) != 0
    }
}

/// Maps (`map<K, V>`): each entry is a length-delimited sub-message with the key in field 1
/// and the value in field 2, either of which may be absent (the type's zero value).
extension ProtobufReader {
    /// Reads the entry just tagged, handing its key and value fields to `key` and `value`
    /// with the entry's own reader; other fields are skipped.
    public mutating func readMapEntry(_ tag: ProtobufTag,
                                      key: (inout ProtobufReader, ProtobufTag) throws(ProtobufError) -> Void,
                                      value: (inout ProtobufReader, ProtobufTag) throws(ProtobufError) -> Void) throws(ProtobufError) {
        var entry = ProtobufReader(try readBytes(tag))
        while let entryTag = try entry.readTag() {
            switch entryTag.field {
            case 1: try key(&entry, entryTag)
            case 2: try value(&entry, entryTag)
            default: try entry.skip(entryTag)
            }
        }
    }
}
