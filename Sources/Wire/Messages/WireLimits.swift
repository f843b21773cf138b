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
    /// Decompressed size of a compress message, and so of a stream's one message
    /// (a stream carries one request or reply, inflated at most once).
    public static let maxDecompressedLength = 40 * 1024 * 1024
    /// Total bytes all compress layers of one memberlist UDP packet may inflate to
    /// (issue #12): what a sender could have built, a UDP datagram's payload (Go reads
    /// into 65,536-byte buffers and builds packets within UDPBufferSize, 1,400 by
    /// default). Go itself caps only each layer, at 40 MiB (newest) or not at all (v0.2.2).
    public static let maxDatagramInflation = 65_536
    /// How many compress/compound layers a packet may nest.
    public static let maxPacketNesting = 8
    /// Longest node name a message may carry (Node, SourceNode, From, Name). Ours: Go has
    /// no bound, but a name is a host name (at most 253 bytes) plus dskit's suffix in
    /// practice; a longer one is a malformed message, so a peer cannot make every member
    /// store and gossip a megabyte name (issue #12). Same bound as the cluster label.
    public static let maxNodeNameLength = 255
}
