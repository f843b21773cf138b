import Wire

/// dskit's `ringDesc` codec: the ring's protobuf bytes compressed as one snappy block (not
/// framed). An empty value decodes as an empty ring, as dskit treats it as snappy(empty)
/// (dskit-kv-ring.md 3.2).
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
        if bytes.isEmpty { return RingDesc() }
        let plain: [UInt8]
        do {
            plain = try SnappyBlock.decompress(bytes, limit: maxDecodedBytes)
        } catch {
            throw .undecodable(codec: id, reason: "snappy: \(error)")
        }
        do {
            return try RingDesc(decoding: plain)
        } catch {
            throw .undecodable(codec: id, reason: "protobuf: \(error)")
        }
    }

    public func encode(_ value: any Sendable) -> [UInt8]? {
        guard let ring = value as? RingDesc else { return nil }
        return encodeRing(ring)
    }

    public func encodeRing(_ ring: RingDesc) -> [UInt8] {
        SnappyBlock.compress(ring.encoded())
    }
}
