import Glibc
import FuzzSupport
import Wire

/// LZW (memberlist-wire.md §6): decoding never passes its limit, and what we encode
/// decodes back to the input.
func fuzzLZW(_ data: UnsafeRawBufferPointer) {
    let limit = 1 << 20
    if let plain = try? Decompressor.decompress(algorithm: CompressionAlgorithm.lzw.rawValue, data, limit: limit) {
        precondition(plain.count <= limit, "LZW output past its limit")
    }
    let encoded = Compressor.compress(algorithm: .lzw, data)
    if !data.isEmpty {
        let decoded = try? Decompressor.decompress(algorithm: CompressionAlgorithm.lzw.rawValue, encoded, limit: data.count)
        precondition(decoded == Array(data), "LZW round trip differs")
    }
}

exit(FuzzDriver.run(fuzzLZW))
