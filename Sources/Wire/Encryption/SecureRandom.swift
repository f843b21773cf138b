import COpenSSL

/// Random nonces from OpenSSL's CSPRNG (memberlist-wire.md §5: random 12-byte nonce).
enum SecureRandom {
    static func bytes(_ count: Int) throws(EncryptionError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { buffer in
            RAND_bytes(buffer.baseAddress, Int32(buffer.count))
        }
        guard status == 1 else { throw .randomSourceFailed }
        return bytes
    }
}
