/// One dskit KV entry as gossiped in user messages and push/pull state
/// (`memberlist.KeyValuePair`, dskit-kv-ring.md 3.1).
public struct KeyValuePair: Equatable, Sendable {
    /// Full key including the KV prefix (`collectors/ring`); empty is invalid.
    public var key: String
    /// Codec-encoded value: a delta in gossip, the full value in push/pull.
    public var value: [UInt8]
    /// Codec id, e.g. `ringDesc`.
    public var codec: String
    /// The key is marked deleted.
    public var deleted: Bool
    /// Unix milliseconds of the last delete-state update; 0 = unknown.
    public var updateTimeMillis: Int64

    public init(key: String, value: [UInt8], codec: String, deleted: Bool = false, updateTimeMillis: Int64 = 0) {
        self.key = key
        self.value = value
        self.codec = codec
        self.deleted = deleted
        self.updateTimeMillis = updateTimeMillis
    }

    enum Field {
        static let key: UInt32 = 1
        static let value: UInt32 = 2
        static let codec: UInt32 = 3
        static let deleted: UInt32 = 4
        static let updateTimeMillis: UInt32 = 5
    }

    public init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        var pair = KeyValuePair(key: "", value: [], codec: "")
        while let tag = try reader.readTag() {
            switch tag.field {
            case Field.key: pair.key = try reader.readString(tag)
            case Field.value: pair.value = Array(try reader.readBytes(tag))
            case Field.codec: pair.codec = try reader.readString(tag)
            case Field.deleted: pair.deleted = try reader.readBool(tag)
            case Field.updateTimeMillis: pair.updateTimeMillis = try reader.readInt64(tag)
            default: try reader.skip(tag)
            }
        }
        self = pair
    }

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        try self.init(decoding: bytes[...])
    }

    /// The canonical proto3 encoding (fields in order, defaults omitted).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter(reservingCapacity: key.utf8.count + value.count + codec.utf8.count + 24)
        writer.writeStringField(Field.key, key)
        writer.writeBytesField(Field.value, value)
        writer.writeStringField(Field.codec, codec)
        writer.writeBoolField(Field.deleted, deleted)
        writer.writeInt64Field(Field.updateTimeMillis, updateTimeMillis)
        return writer.bytes
    }
}
