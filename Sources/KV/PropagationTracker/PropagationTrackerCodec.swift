/// dskit's `propagationDelayTracker` codec: the tracker value's protobuf bytes as one snappy
/// block (`SnappyProtobuf`, dskit-kv-ring.md 3.2, 8); an empty value decodes as no beacons.
public struct PropagationTrackerCodec: KVCodec {
    public static let codecID = "propagationDelayTracker"
    public var id: String { Self.codecID }
    /// Largest decompressed value accepted; the snappy header is checked before allocating.
    public let maxDecodedBytes: Int

    public init(maxDecodedBytes: Int = 16 << 20) {
        self.maxDecodedBytes = maxDecodedBytes
    }

    public func decode(_ bytes: [UInt8]) throws(KVError) -> any Sendable {
        try SnappyProtobuf.decode(bytes, codecID: id, limit: maxDecodedBytes, empty: PropagationTrackerDesc()) {
            plain throws(ProtobufError) in try PropagationTrackerDesc(decoding: plain)
        }
    }

    public func encode(_ value: any Sendable) -> [UInt8]? {
        guard let desc = value as? PropagationTrackerDesc else { return nil }
        return SnappyProtobuf.encode(desc.encoded())
    }
}
