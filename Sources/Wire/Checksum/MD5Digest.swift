import COpenSSL

/// MD5 through OpenSSL's EVP interface, for dskit's packet trailer
/// (dskit-kv-ring.md §1). The digest lives in a 16-byte inline value, so
/// computing one allocates nothing on the Swift side.
public struct MD5Digest: Hashable, Sendable {
    public static let byteCount = 16

    @usableFromInline var high: UInt64
    @usableFromInline var low: UInt64

    /// Digest of `bytes`.
    public init(of bytes: UnsafeRawBufferPointer) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { out in
            var length: UInt32 = 0
            // EVP_Digest accepts a null data pointer only with a zero count; give it a valid one.
            let empty: UInt8 = 0
            let ok = withUnsafePointer(to: empty) { emptyPointer in
                EVP_Digest(bytes.baseAddress ?? UnsafeRawPointer(emptyPointer), bytes.count,
                           out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, EVP_md5(), nil)
            }
            precondition(ok == 1 && length == 16, "OpenSSL MD5 failed")
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
