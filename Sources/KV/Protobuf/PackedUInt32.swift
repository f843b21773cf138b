extension ProtobufReader {
    /// Reads a `repeated uint32` field's values, appending them to `values`. Accepts both the
    /// packed form (wire type 2) and single unpacked elements (wire type 0), as proto3
    /// parsers must. Values above 32 bits are truncated, as protobuf's uint32 parsing does.
    public mutating func readRepeatedUInt32(_ tag: ProtobufTag, into values: inout [UInt32]) throws(ProtobufError) {
        switch tag.wireType {
        case .varint:
            values.append(UInt32(truncatingIfNeeded: try readVarint()))
        case .lengthDelimited:
            var packed = ProtobufReader(try readLengthDelimited())
            while !packed.isAtEnd {
                values.append(UInt32(truncatingIfNeeded: try packed.readVarint()))
            }
        default:
            throw .wrongWireType(field: tag.field, wireType: tag.wireType.rawValue)
        }
    }
}
