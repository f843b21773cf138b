/// Why a payload could not be encrypted or decrypted (memberlist-wire.md §5).
public enum EncryptionError: Error, Equatable, Sendable {
    /// Shorter than the fixed overhead of its version (29 for vsn 1, 45 for vsn 0).
    case tooShort(length: Int, minimum: Int)
    /// The version byte is neither 0 nor 1.
    case unsupportedVersion(UInt8)
    /// No key in the keyring authenticates the payload (wrong keys, tampering, wrong AAD).
    case noKeyDecrypts
    /// A vsn 0 plaintext whose last byte is not a pad length of 1...16 that fits in it.
    case badPadding
    /// An explicit nonce must be exactly 12 bytes; the associated value is the length given.
    case invalidNonceLength(Int)
    /// Too large for one OpenSSL call (lengths are C ints).
    case payloadTooLarge(length: Int)
    /// OpenSSL could not produce random nonce bytes.
    case randomSourceFailed
    /// OpenSSL refused to set up or run the cipher.
    case cipherFailure
}
