import Wire

/// One UDP packet the runtime should encode and send (memberlist-wire.md §3.1).
///
/// The runtime frames `messages` with `Compound.writePackets` (§3.5): one message is sent
/// bare, more go in compounds of at most 127 parts (Go mis-splits larger ones). The first
/// message is the primary one (ping, ack, ...) when there is one; the rest are
/// piggybacked broadcasts already chosen against the byte budget of §3.4.
public struct OutgoingPacket: Hashable, Sendable {
    public var to: NodeAddress
    /// Name of the destination node when known ("" otherwise): whom the core
    /// meant the packet for (tests check gossip and probe targets by it).
    public var nodeName: String
    /// Whether to prepend the CRC layer, decided as Go decides it (§3.3): the
    /// destination is a known node (looked up by name for gossip and probes of
    /// suspects, by IP string otherwise) whose PMax ≥ 5.
    public var addCRC: Bool
    public var messages: [Message]

    public init(to: NodeAddress, nodeName: String, addCRC: Bool, messages: [Message]) {
        (self.to, self.nodeName, self.addCRC, self.messages) = (to, nodeName, addCRC, messages)
    }
}
