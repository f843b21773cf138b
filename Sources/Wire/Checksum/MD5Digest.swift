/// MD5 (RFC 1321) of a dskit packet, for its trailer (dskit-kv-ring.md §1).
/// Computed in Swift (`MD5Block`) without OpenSSL; the digest lives in a
/// 16-byte inline value, so computing one allocates nothing.
public struct MD5Digest: Hashable, Sendable {
    public static let byteCount = 16

    @usableFromInline var high: UInt64
    @usableFromInline var low: UInt64

    /// Digest of `bytes`: whole blocks straight from `bytes`, then the tail with
    /// RFC 1321 §3.1-3.2 padding (0x80, zeros, bit length as 64-bit little endian)
    /// in one or two blocks of stack scratch.
    public init(of bytes: UnsafeRawBufferPointer) {
        var state = MD5Block()
        let blockSize = MD5Block.byteCount
        let wholeBlocks = bytes.count / blockSize
        for index in 0..<wholeBlocks {
            state.absorb(bytes, at: index * blockSize)
        }
        let tail = bytes.count - wholeBlocks * blockSize
        let paddedBlocks = tail < blockSize - 8 ? 1 : 2
        withUnsafeTemporaryAllocation(byteCount: 2 * blockSize, alignment: 8) { scratch in
            scratch.initializeMemory(as: UInt8.self, repeating: 0)
            if tail > 0, let source = bytes.baseAddress {
                scratch.copyMemory(from: UnsafeRawBufferPointer(start: source + wholeBlocks * blockSize, count: tail))
            }
            scratch[tail] = 0x80
            let bitLength = UInt64(truncatingIfNeeded: bytes.count) &* 8
            scratch.storeBytes(of: bitLength.littleEndian, toByteOffset: paddedBlocks * blockSize - 8, as: UInt64.self)
            let padded = UnsafeRawBufferPointer(scratch)
            for index in 0..<paddedBlocks {
                state.absorb(padded, at: index * blockSize)
            }
        }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { out in
            out.storeBytes(of: state.a.littleEndian, toByteOffset: 0, as: UInt32.self)
            out.storeBytes(of: state.b.littleEndian, toByteOffset: 4, as: UInt32.self)
            out.storeBytes(of: state.c.littleEndian, toByteOffset: 8, as: UInt32.self)
            out.storeBytes(of: state.d.littleEndian, toByteOffset: 12, as: UInt32.self)
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
