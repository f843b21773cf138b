import Wire

/// The framing of every dskit proto codec (`codec.NewProtoCodec`): protobuf bytes compressed
/// as one snappy block, not framed; an empty value is the empty message (dskit-kv-ring.md
/// 3.2). The ring and tracker codecs share it.
enum SnappyProtobuf {
    /// Decompresses within `limit` bytes (checked before allocating), then parses with
    /// `parse`; an empty input gives `empty`. Errors name the codec.
    static func decode<Value>(_ bytes: [UInt8], codecID: String, limit: Int, empty: Value,
                              parse: ([UInt8]) throws(ProtobufError) -> Value) throws(KVError) -> Value {
        if bytes.isEmpty { return empty }
        let plain: [UInt8]
        do {
            plain = try SnappyBlock.decompress(bytes, limit: limit)
        } catch {
            throw .undecodable(codec: codecID, reason: "snappy: \(error)")
        }
        do {
            return try parse(plain)
        } catch {
            throw .undecodable(codec: codecID, reason: "protobuf: \(error)")
        }
    }

    static func encode(_ protobuf: [UInt8]) -> [UInt8] {
        SnappyBlock.compress(protobuf)
    }
}
