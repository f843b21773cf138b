import COpenSSL

/// MD5 through OpenSSL's MD5 block functions, for dskit's packet trailer
/// (dskit-kv-ring.md §1). The context lives on the stack and the digest in a
/// 16-byte inline value, so computing one allocates nothing.
public struct MD5Digest: Hashable, Sendable {
    public static let byteCount = 16

    @usableFromInline var high: UInt64
    @usableFromInline var low: UInt64

    /// Digest of `bytes`, through `copenssl_md5` (a stack MD5 context), so
    /// computing it makes no heap allocation (issue #4: a steady-state packet
    /// allocates nothing).
    public init(of bytes: UnsafeRawBufferPointer) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { out in
            // MD5_Update reads nothing for a zero count, so a missing base address is fine.
            copenssl_md5(bytes.baseAddress, bytes.count, out.baseAddress?.assumingMemoryBound(to: UInt8.self))
        }
        high = words.0
        low = words.1
    }

    /// Digest read from 16 bytes (e.g. a received trailer); nil if `bytes` is not 16 bytes long.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Self.byteCount else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        high = words.0
        low = words.1
    }

    /// Calls `body` with the 16 digest bytes in order.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var words = (high, low)
        return Swift.withUnsafeBytes(of: &words) { body($0) }
    }

    /// The digest bytes (allocates; for tests).
    public var bytes: [UInt8] { withUnsafeBytes { [UInt8]($0) } }
}
