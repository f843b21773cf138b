import COpenSSL

/// AES-GCM with a 12-byte nonce and a 16-byte tag through OpenSSL EVP; the key length picks
/// AES-128, -192 or -256 (memberlist-wire.md §5).
enum AESGCM {
    static let nonceSize = 12
    static let tagSize = 16
    static let validKeyLengths: Set<Int> = [16, 24, 32]

    /// The EVP cipher for a key of `length` bytes; nil for a length AES does not have.
    static func cipher(forKeyLength length: Int) -> OpaquePointer? {
        switch length {
        case 16: EVP_aes_128_gcm()
        case 24: EVP_aes_192_gcm()
        case 32: EVP_aes_256_gcm()
        default: nil
        }
    }
}
