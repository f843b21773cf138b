/// One beacon of dskit's propagation delay tracker (`memberlist.BeaconDesc`,
/// dskit-kv-ring.md 8): `int64 published_at = 1`, `int64 deleted_at = 2` (Unix ms; 0 =
/// live, else a tombstone), `string published_by = 3` (the publishing node's name, only
/// logged; its field number is unverified against dskit's generated code).
public struct BeaconDesc: Equatable, Sendable {
    public var publishedAtMillis: Int64
    public var deletedAtMillis: Int64
    public var publishedBy: String

    public init(publishedAtMillis: Int64, deletedAtMillis: Int64 = 0, publishedBy: String = "") {
        (self.publishedAtMillis, self.deletedAtMillis, self.publishedBy) = (publishedAtMillis, deletedAtMillis, publishedBy)
    }

    public var isDeleted: Bool { deletedAtMillis != 0 }

    enum Field {
        static let publishedAt: UInt32 = 1
        static let deletedAt: UInt32 = 2
        static let publishedBy: UInt32 = 3
    }

    init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        var beacon = BeaconDesc(publishedAtMillis: 0)
        while let tag = try reader.readTag() {
            switch tag.field {
            case Field.publishedAt: beacon.publishedAtMillis = try reader.readInt64(tag)
            case Field.deletedAt: beacon.deletedAtMillis = try reader.readInt64(tag)
            case Field.publishedBy: beacon.publishedBy = try reader.readString(tag)
            default: try reader.skip(tag)
            }
        }
        self = beacon
    }

    func encode(into writer: inout ProtobufWriter) {
        writer.writeInt64Field(Field.publishedAt, publishedAtMillis)
        writer.writeInt64Field(Field.deletedAt, deletedAtMillis)
        writer.writeStringField(Field.publishedBy, publishedBy)
    }
}
