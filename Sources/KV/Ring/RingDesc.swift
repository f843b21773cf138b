/// A dskit ring (`ring.Desc`): instances by ID (`map<string, InstanceDesc> ingesters = 1`;
/// field 2 reserved), dskit-kv-ring.md 5.
public struct RingDesc: Equatable, Sendable {
    public var instances: [String: InstanceDesc]

    public init(instances: [String: InstanceDesc] = [:]) {
        self.instances = instances
    }

    enum Field {
        static let ingesters: UInt32 = 1
    }

    /// Decodes a ring from its protobuf bytes (not snappy-compressed; see `RingDescCodec`).
    /// An empty `id` is filled from the map key, as dskit's readers do.
    public init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        var instances: [String: InstanceDesc] = [:]
        while let tag = try reader.readTag() {
            guard tag.field == Field.ingesters else {
                try reader.skip(tag)
                continue
            }
            var key = ""
            var value = InstanceDesc()
            try reader.readMapEntry(tag, key: { entry, tag throws(ProtobufError) in key = try entry.readString(tag) },
                                    value: { entry, tag throws(ProtobufError) in
                                        value = try InstanceDesc(decoding: try entry.readBytes(tag))
                                    })
            instances[key] = value
        }
        self.instances = instances
    }

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        try self.init(decoding: bytes[...])
    }

    /// The protobuf encoding, instances in key order (as gogoproto's generated marshaller
    /// and Python's deterministic serialiser write maps).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter(reservingCapacity: instances.count * 64)
        for key in instances.keys.sorted() {
            guard let instance = instances[key] else { continue }
            writer.writeMessageField(Field.ingesters) { entry in
                // Map entries carry their key even when it is empty.
                entry.writeTag(1, .lengthDelimited)
                entry.writeVarint(UInt64(key.utf8.count))
                entry.appendRaw(key.utf8)
                entry.writeMessageField(2) { instance.encode(into: &$0) }
            }
        }
        return writer.bytes
    }
}
