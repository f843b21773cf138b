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
        while let (field, wireType) = try reader.readTag() {
            switch field {
            case Field.addr:
                try wireType.expect(.lengthDelimited, field: field)
                desc.addr = try reader.readString(field: field)
            case Field.timestamp:
                try wireType.expect(.varint, field: field)
                desc.timestamp = Int64(bitPattern: try reader.readVarint())
            case Field.state:
                try wireType.expect(.varint, field: field)
                desc.state = InstanceState(rawValue: UInt64(UInt32(truncatingIfNeeded: try reader.readVarint())))
            case Field.tokens:
                try reader.readRepeatedUInt32(wireType, field: field, into: &desc.tokens)
            case Field.zone:
                try wireType.expect(.lengthDelimited, field: field)
                desc.zone = try reader.readString(field: field)
            case Field.registeredTimestamp:
                try wireType.expect(.varint, field: field)
                desc.registeredTimestamp = Int64(bitPattern: try reader.readVarint())
            case Field.id:
                try wireType.expect(.lengthDelimited, field: field)
                desc.id = try reader.readString(field: field)
            case Field.readOnlyUpdatedTimestamp:
                try wireType.expect(.varint, field: field)
                desc.readOnlyUpdatedTimestamp = Int64(bitPattern: try reader.readVarint())
            case Field.readOnly:
                try wireType.expect(.varint, field: field)
                desc.readOnly = try reader.readVarint() != 0
            case Field.versions:
                try wireType.expect(.lengthDelimited, field: field)
                let (key, value) = try Self.decodeVersionEntry(try reader.readLengthDelimited())
                desc.versions[key] = value
            default:
                try reader.skip(wireType)
            }
        }
        self = desc
    }

    /// A `map<uint64,uint64>` entry: key = field 1, value = field 2, either may be absent (0).
    private static func decodeVersionEntry(_ bytes: ArraySlice<UInt8>) throws(ProtobufError) -> (UInt64, UInt64) {
        var reader = ProtobufReader(bytes)
        var key: UInt64 = 0
        var value: UInt64 = 0
        while let (field, wireType) = try reader.readTag() {
            switch field {
            case 1:
                try wireType.expect(.varint, field: field)
                key = try reader.readVarint()
            case 2:
                try wireType.expect(.varint, field: field)
                value = try reader.readVarint()
            default:
                try reader.skip(wireType)
            }
        }
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
