/// First byte of an encrypted payload (memberlist-wire.md §5).
///
/// Go sends `.padded` only when its protocol version is 1, otherwise `.plain`; receivers
/// accept both.
public enum EncryptionVersion: UInt8, Sendable, CaseIterable {
    /// vsn 0: plaintext PKCS#7-padded to 16 bytes before sealing.
    case padded = 0
    /// vsn 1: plaintext sealed as is.
    case plain = 1
}
