/// The protobuf wire types this codec reads and writes (protobuf encoding guide, "Message
/// Structure"). Groups (3, 4) are rejected.
public enum ProtobufWireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}
