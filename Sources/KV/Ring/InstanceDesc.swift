/// One ring member (`ring.InstanceDesc`, every field of dskit-kv-ring.md 5).
public struct InstanceDesc: Equatable, Sendable {
    /// `host:port`.
    public var addr: String
    /// Unix seconds of the last heartbeat or update; drives merging (5.1).
    public var timestamp: Int64
    public var state: InstanceState
    /// Sorted and unique once normalised.
    public var tokens: [UInt32]
    public var zone: String
    /// Unix seconds of the first registration; 0 = unknown.
    public var registeredTimestamp: Int64
    /// Equals the map key; readers fill it in when empty.
    public var id: String
    /// Unix seconds; only increases.
    public var readOnlyUpdatedTimestamp: Int64
    public var readOnly: Bool
    /// Component versions set by BasicLifecycler (`map<uint64,uint64>`).
    public var versions: [UInt64: UInt64]

    public init(addr: String = "", timestamp: Int64 = 0, state: InstanceState = .active, tokens: [UInt32] = [],
                zone: String = "", registeredTimestamp: Int64 = 0, id: String = "",
                readOnlyUpdatedTimestamp: Int64 = 0, readOnly: Bool = false, versions: [UInt64: UInt64] = [:]) {
        self.addr = addr
        self.timestamp = timestamp
        self.state = state
        self.tokens = tokens
        self.zone = zone
        self.registeredTimestamp = registeredTimestamp
        self.id = id
        self.readOnlyUpdatedTimestamp = readOnlyUpdatedTimestamp
        self.readOnly = readOnly
        self.versions = versions
    }

    enum Field {
        static let addr: UInt32 = 1
        static let timestamp: UInt32 = 2
        static let state: UInt32 = 3
        static let tokens: UInt32 = 6
        static let zone: UInt32 = 7
        static let registeredTimestamp: UInt32 = 8
        static let id: UInt32 = 9
        static let readOnlyUpdatedTimestamp: UInt32 = 10
        static let readOnly: UInt32 = 11
        static let versions: UInt32 = 12
    }

    init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        var desc = InstanceDesc()
        while let tag = try reader.readTag() {
            switch tag.field {
            case Field.addr: desc.addr = try reader.readString(tag)
            case Field.timestamp: desc.timestamp = try reader.readInt64(tag)
            case Field.state:
                desc.state = InstanceState(rawValue: UInt64(UInt32(truncatingIfNeeded: try reader.readUInt64(tag))))
            case Field.tokens: try reader.readRepeatedUInt32(tag, into: &desc.tokens)
            case Field.zone: desc.zone = try reader.readString(tag)
            case Field.registeredTimestamp: desc.registeredTimestamp = try reader.readInt64(tag)
            case Field.id: desc.id = try reader.readString(tag)
            case Field.readOnlyUpdatedTimestamp: desc.readOnlyUpdatedTimestamp = try reader.readInt64(tag)
            case Field.readOnly: desc.readOnly = try reader.readBool(tag)
            case Field.versions:
                let (key, value) = try Self.decodeVersionEntry(&reader, tag)
                desc.versions[key] = value
            default: try reader.skip(tag)
            }
        }
        self = desc
    }

    /// A `map<uint64,uint64>` entry; either field may be absent (0).
    private static func decodeVersionEntry(_ reader: inout ProtobufReader, _ tag: ProtobufTag) throws(ProtobufError) -> (UInt64, UInt64) {
        var key: UInt64 = 0
        var value: UInt64 = 0
        try reader.readMapEntry(tag, key: { entry, tag throws(ProtobufError) in key = try entry.readUInt64(tag) },
                                value: { entry, tag throws(ProtobufError) in value = try entry.readUInt64(tag) })
        return (key, value)
    }

    func encode(into writer: inout ProtobufWriter) {
        writer.writeStringField(Field.addr, addr)
        writer.writeInt64Field(Field.timestamp, timestamp)
        writer.writeUInt64Field(Field.state, state.rawValue)
        writer.writePackedUInt32Field(Field.tokens, tokens)
        writer.writeStringField(Field.zone, zone)
        writer.writeInt64Field(Field.registeredTimestamp, registeredTimestamp)
        writer.writeStringField(Field.id, id)
        writer.writeInt64Field(Field.readOnlyUpdatedTimestamp, readOnlyUpdatedTimestamp)
        writer.writeBoolField(Field.readOnly, readOnly)
        // Map entries in key order, both fields written, as deterministic serialisers do.
        for key in versions.keys.sorted() {
            let value = versions[key] ?? 0
            writer.writeMessageField(Field.versions) { entry in
                entry.writeTag(1, .varint)
                entry.writeVarint(key)
                entry.writeTag(2, .varint)
                entry.writeVarint(value)
            }
        }
    }
}
