import COpenSSL

/// Random nonces from OpenSSL's CSPRNG (memberlist-wire.md §5: random 12-byte nonce).
///
/// RAND_bytes draws from OpenSSL's per-thread DRBG: after its first use it allocates only
/// when it reseeds (measured with OpenSSL 3.0: 1 allocation in 100,000 calls).
enum SecureRandom {
    /// Fills `buffer` in place (for nonces written straight into the packet being built).
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(EncryptionError) {
        guard buffer.count > 0 else { return }
        guard buffer.count <= Int(Int32.max), let bytes = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
              RAND_bytes(bytes, Int32(buffer.count)) == 1 else { throw .randomSourceFailed }
    }
}
