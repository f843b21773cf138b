/// Appends protobuf fields to a byte buffer in proto3's canonical form: fields in number
/// order, default values (0, false, empty) omitted, repeated scalars packed. The writers
/// emit the same bytes as the reference implementations for the messages of this target,
/// which the fixture tests check.
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeTag(_ field: UInt32, _ wireType: ProtobufWireType) {
        writeVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// An unsigned varint field (uint32, uint64, enum); omitted when zero.
    public mutating func writeUInt64Field(_ field: UInt32, _ value: UInt64) {
        guard value != 0 else { return }
        writeTag(field, .varint)
        writeVarint(value)
    }

    /// An int64 field: negative values take ten bytes, as two's complement (not zigzag).
    public mutating func writeInt64Field(_ field: UInt32, _ value: Int64) {
        writeUInt64Field(field, UInt64(bitPattern: value))
    }

    public mutating func writeBoolField(_ field: UInt32, _ value: Bool) {
        writeUInt64Field(field, value ? 1 : 0)
    }

    public mutating func writeBytesField<C: Collection>(_ field: UInt32, _ value: C) where C.Element == UInt8 {
        guard !value.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func writeStringField(_ field: UInt32, _ value: String) {
        writeBytesField(field, value.utf8)
    }

    /// A packed `repeated uint32`; omitted when empty.
    public mutating func writePackedUInt32Field(_ field: UInt32, _ values: [UInt32]) {
        guard !values.isEmpty else { return }
        var length = 0
        for value in values { length += Self.varintSize(UInt64(value)) }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(length))
        for value in values { writeVarint(UInt64(value)) }
    }

    /// A length-delimited sub-message (or map entry) built by `body`. Written even when the
    /// body is empty, as map entries and present sub-messages are.
    public mutating func writeMessageField(_ field: UInt32, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(inner.bytes.count))
        bytes.append(contentsOf: inner.bytes)
    }

    /// Appends bytes as they are (the payload after a tag and length written by hand).
    public mutating func appendRaw<C: Collection>(_ raw: C) where C.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    public static func varintSize(_ value: UInt64) -> Int {
        var v = value
        var size = 1
        while v >= 0x80 { v >>= 7; size += 1 }
        return size
    }
}
