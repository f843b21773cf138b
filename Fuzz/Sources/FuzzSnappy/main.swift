import Glibc
import FuzzSupport
import Wire

/// Snappy blocks (dskit-kv-ring.md §2, Algo 1): decoding validates every tag within its
/// limit, and what we encode decodes back to the input.
func fuzzSnappy(_ data: UnsafeRawBufferPointer) {
    let limit = 1 << 20
    if let plain = try? Decompressor.decompress(algorithm: CompressionAlgorithm.snappy.rawValue, data, limit: limit) {
        precondition(plain.count <= limit, "snappy output past its limit")
    }
    let encoded = Compressor.compress(algorithm: .snappy, data)
    if !data.isEmpty {
        let decoded = try? Decompressor.decompress(algorithm: CompressionAlgorithm.snappy.rawValue, encoded, limit: data.count)
        precondition(decoded == Array(data), "snappy round trip differs")
    }
}

exit(FuzzDriver.run(fuzzSnappy))
