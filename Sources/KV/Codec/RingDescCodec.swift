/// dskit's `ringDesc` codec: the ring's protobuf bytes as one snappy block
/// (`SnappyProtobuf`); an empty value decodes as an empty ring (dskit-kv-ring.md 3.2).
public struct RingDescCodec: KVCodec {
    public static let codecID = "ringDesc"
    public var id: String { Self.codecID }
    /// Largest decompressed ring accepted; the snappy header is checked before allocating.
    public let maxDecodedBytes: Int

    public init(maxDecodedBytes: Int = 64 << 20) {
        self.maxDecodedBytes = maxDecodedBytes
    }

    public func decode(_ bytes: [UInt8]) throws(KVError) -> any Sendable {
        try decodeRing(bytes)
    }

    public func decodeRing(_ bytes: [UInt8]) throws(KVError) -> RingDesc {
        try SnappyProtobuf.decode(bytes, codecID: id, limit: maxDecodedBytes, empty: RingDesc()) { plain throws(ProtobufError) in
            try RingDesc(decoding: plain)
        }
    }

    public func encode(_ value: any Sendable) -> [UInt8]? {
        guard let ring = value as? RingDesc else { return nil }
        return encodeRing(ring)
    }

    public func encodeRing(_ ring: RingDesc) -> [UInt8] {
        SnappyProtobuf.encode(ring.encoded())
    }
}
