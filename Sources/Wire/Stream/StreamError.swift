/// Why a stream message could not be written or read (memberlist-wire.md §4).
public enum StreamError: Error, Equatable, Sendable {
    /// Label header problems (same rules as packets, §3.2).
    case label(PacketError)
    /// An encrypted frame declared LEN above 20 MiB (§4.1).
    case encryptedLengthTooLarge(length: Int, limit: Int)
    /// An encrypted frame arrived and no keyring is configured (§4.1).
    case encryptedWithoutKeyring
    /// A plaintext stream arrived while a keyring is set and GossipVerifyIncoming is on (§4.1).
    case plaintextRefused
    /// No key could decrypt the frame.
    case decryptionFailed(reason: String)
    /// Encryption of an outgoing frame failed or produced an unexpected length.
    case encryptionFailed(reason: String)
    /// The compress message could not be decompressed (bad data, over 40 MiB, empty, unknown Algo).
    case decompression(CompressionError)
    /// The message itself was malformed or over a limit (§4.2-4.3).
    case message(MessageDecodeError)
    /// A type byte memberlist does not define.
    case unknownType(UInt8)
    /// A type that has no business on a stream at this layer (e.g. alive, compound, a second compress).
    case disallowedType(MessageType)
    /// More than `limit` bytes are buffered and the message is still incomplete.
    case messageTooLarge(buffered: Int, limit: Int)
}
