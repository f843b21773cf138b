import EventLoop
import MonotonicTime

/// One packet handed to the node, lent for the duration of the callback.
///
/// `bytes` points into a buffer the transport reuses (the loop's `recvmmsg`
/// slab for UDP, a pooled connection buffer for dskit): copy what must outlive
/// the call. `source` is the address memberlist sees as the sender: the UDP
/// source, or for dskit the advertised address from the packet header
/// (dskit-kv-ring.md §1), never the ephemeral TCP peer.
public struct InboundPacket {
    /// The memberlist packet (label/CRC/compound layers still on, memberlist-wire.md §3.1).
    public let bytes: UnsafeRawBufferPointer
    /// Sender as memberlist sees it; IPv4-mapped IPv6 sources are reported as IPv4.
    public let source: SocketAddress
    /// When the transport received it (memberlist's Packet.Timestamp, used for RTT).
    public let receivedAt: MonotonicInstant

    public init(bytes: UnsafeRawBufferPointer, source: SocketAddress, receivedAt: MonotonicInstant) {
        (self.bytes, self.source, self.receivedAt) = (bytes, source, receivedAt)
    }
}
