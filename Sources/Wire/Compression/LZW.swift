/// Go `compress/lzw` with LSB bit order and literal width 8: the only compression
/// hashicorp/memberlist speaks (compress message Algo 0, memberlist-wire.md §6).
public enum LZW {
    /// Compresses exactly as Go 1.19's `lzw.NewWriter(w, lzw.LSB, 8)` does, byte for byte.
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        LZWEncoder.compress(input)
    }

    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { LZWEncoder.compress($0) }
    }

    /// Decodes a stream from any Go version (with or without a leading clear code).
    /// Bytes after the EOF code are ignored, as Go does.
    /// - Throws: `.unexpectedEnd` without an EOF code, `.invalidCode` for an undefined code,
    ///   `.outputLimitExceeded` as soon as the output would pass `limit` bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        try LZWDecoder.decompress(input, limit: limit)
    }

    public static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        try input.withUnsafeBytes { buffer in
            Result { () throws(CompressionError) in try LZWDecoder.decompress(buffer, limit: limit) }
        }.get()
    }
}
