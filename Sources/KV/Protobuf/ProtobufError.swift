/// Why a protobuf message could not be decoded. Every length read from the input is
/// checked against what is left, so bad input ends here and never in a crash.
public enum ProtobufError: Error, Equatable, Sendable {
    /// The input ended inside a varint, a fixed-width value or a length-delimited field.
    case truncated(offset: Int)
    /// A varint longer than ten bytes, or one whose tenth byte overflows 64 bits.
    case malformedVarint(offset: Int)
    /// A tag with field number 0 or a wire type this codec does not know (3 and 4 are
    /// the deprecated groups; 6 and 7 do not exist).
    case invalidTag(offset: Int, tag: UInt64)
    /// A known field arrived with a wire type other than the one its schema declares.
    case wrongWireType(field: UInt32, wireType: UInt8)
    /// A string field whose bytes are not UTF-8 (proto3 requires UTF-8 strings).
    case invalidUTF8(field: UInt32)
    /// A length that does not fit in an Int (longer than any input can be).
    case lengthOverflow(offset: Int)
}
