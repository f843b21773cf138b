import Wire

/// The property both compression fuzzers check (memberlist-wire.md §6, dskit-kv-ring.md §2):
/// decoding arbitrary bytes never passes its limit, and what we encode decodes back.
public enum FuzzCodec {
    public static func check(_ algorithm: CompressionAlgorithm, _ data: UnsafeRawBufferPointer) {
        let limit = 1 << 20
        if let plain = try? Decompressor.decompress(algorithm: algorithm.rawValue, data, limit: limit) {
            precondition(plain.count <= limit, "\(algorithm) output past its limit")
        }
        let encoded = Compressor.compress(algorithm: algorithm, data)
        if !data.isEmpty {
            let decoded = try? Decompressor.decompress(algorithm: algorithm.rawValue, encoded, limit: data.count)
            precondition(decoded == Array(data), "\(algorithm) round trip differs")
        }
    }
}
