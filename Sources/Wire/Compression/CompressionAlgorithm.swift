/// The `Algo` field of a compress message (memberlist-wire.md §6; dskit-kv-ring.md §2).
///
/// hashicorp/memberlist only knows LZW (0); Grafana's fork added snappy (1).
public enum CompressionAlgorithm: UInt8, Sendable, CaseIterable {
    case lzw = 0
    case snappy = 1
}
