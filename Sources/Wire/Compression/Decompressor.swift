/// Decodes the `Buf` of a compress message by its `Algo` byte (memberlist-wire.md §6,
/// dskit-kv-ring.md §2: 0 = LZW, 1 = snappy).
public enum Decompressor {
    /// Newest hashicorp/memberlist caps decompressed payloads at 40 MiB (memberlist-wire.md §4.1).
    public static let defaultLimit = 40 * 1024 * 1024

    /// - Throws: `.unknownAlgorithm` for any other Algo, the codec's own errors, and
    ///   `.emptyOutput` when the payload decodes to nothing (newest memberlist rejects it:
    ///   a message needs at least its type byte).
    public static func decompress(algorithm: UInt8, _ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        guard let known = CompressionAlgorithm(rawValue: algorithm) else {
            throw .unknownAlgorithm(algorithm)
        }
        let output: [UInt8]
        switch known {
        case .lzw: output = try LZW.decompress(input, limit: limit)
        case .snappy: output = try SnappyBlock.decompress(input, limit: limit)
        }
        guard !output.isEmpty else { throw .emptyOutput }
        return output
    }

    public static func decompress(algorithm: UInt8, _ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        try input.withUnsafeBytes { buffer in
            Result { () throws(CompressionError) in try decompress(algorithm: algorithm, buffer, limit: limit) }
        }.get()
    }
}
