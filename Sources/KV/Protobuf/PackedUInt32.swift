extension ProtobufReader {
    /// Reads a `repeated uint32` field's values, appending them to `values`. Accepts both the
    /// packed form (wire type 2) and single unpacked elements (wire type 0), as proto3
    /// parsers must. Values above 32 bits are truncated, as protobuf's uint32 parsing does.
    public mutating func readRepeatedUInt32(_ tag: ProtobufTag, into values: inout [UInt32]) throws(ProtobufError) {
        switch tag.wireType {
        case .varint:
            values.append(UInt32(truncatingIfNeeded: try readVarint()))
        case .lengthDelimited:
            let payload = try readLengthDelimited()
            // Every varint ends in one byte below 0x80: room for all of them at once, not
            // a growth step per doubling (a ring instance carries 128 tokens).
            var ends = 0
            for byte in payload where byte < 0x80 { ends += 1 }
            values.reserveCapacity(values.count + ends)
            var packed = ProtobufReader(payload)
            while !packed.isAtEnd {
                values.append(UInt32(truncatingIfNeeded: try packed.readVarint()))
            }
        default:
            throw .wrongWireType(field: tag.field, wireType: tag.wireType.rawValue)
        }
    }
}
