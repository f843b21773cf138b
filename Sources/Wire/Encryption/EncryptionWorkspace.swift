/// Encryption state reused across packets (memberlist-wire.md §5), kept inside the node's
/// `PacketWorkspace` so that the packet encoder and decoder reach it through the one
/// workspace they already take: a sealing and an opening context per AES key size, and the
/// buffer decrypted packets are opened into and lent to dispatch.
struct EncryptionWorkspace {
    /// Decrypted packets up to this size keep their buffer: a UDP packet's worth (§3.4).
    static let retainedCapacity = 64 * 1024

    var sealers = AESGCMContexts(direction: .seal)
    var openers = AESGCMContexts(direction: .open)
    /// Plaintext of the packet being opened; kept at its largest length to avoid re-zeroing.
    var plaintext: [UInt8] = []
}
