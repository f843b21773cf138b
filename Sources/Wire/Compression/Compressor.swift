/// Produces the `Buf` of a compress message for a chosen `Algo` (memberlist-wire.md §6).
/// hashicorp/memberlist peers only decode LZW, so senders should keep `.lzw` unless every
/// peer runs Grafana's fork (dskit-kv-ring.md §2).
public enum Compressor {
    public static func compress(algorithm: CompressionAlgorithm, _ input: UnsafeRawBufferPointer) -> [UInt8] {
        switch algorithm {
        case .lzw: LZW.compress(input)
        case .snappy: SnappyBlock.compress(input)
        }
    }

    public static func compress(algorithm: CompressionAlgorithm, _ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress(algorithm: algorithm, $0) }
    }
}
