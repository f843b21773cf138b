/// Size limits newer memberlist enforces on what a peer may declare
/// (memberlist-wire.md §4.1-4.3, §11). Applied before anything is allocated.
public enum WireLimits {
    /// Push/pull node count (v0.6.0).
    public static let maxPushPullNodes = 1_048_576
    /// Push/pull user state length (v0.6.0).
    public static let maxUserStateLength = 20 * 1024 * 1024
    /// Reliable user message length.
    public static let maxUserMessageLength = 20 * 1024 * 1024
    /// Encrypted stream frame LEN.
    public static let maxEncryptedStreamLength = 20 * 1024 * 1024
    /// Decompressed size of a compress message.
    public static let maxDecompressedLength = 40 * 1024 * 1024
    /// How many compress/compound layers a packet may nest.
    public static let maxPacketNesting = 8
}
