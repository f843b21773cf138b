import Wire

/// Writes the outgoing packet of a probe as the runtime will: the ping plus broadcasts
/// piggybacked as one compound (§3.5, framed by `Compound.writePackets`), then the CRC and
/// label layers (§3.1), all into buffers that are reused from packet to packet.
struct OutgoingPacketWriter {
    private var messages: [Message] = []
    private var compound = WireBuffer(capacity: 65_536)
    /// The last packet written.
    private(set) var packet = WireBuffer(capacity: 65_536)

    mutating func write(ping: Ping, alives: [Alive], security: PacketSecurity) throws(PacketError) {
        messages.removeAll(keepingCapacity: true)
        messages.append(.ping(ping))
        for alive in alives { messages.append(.alive(alive)) }
        // Move the packet buffer out so the send closure can own it without an exclusivity conflict.
        var out = packet
        packet = WireBuffer()
        out.removeAll(keepingCapacity: true)
        defer { packet = out }
        try Compound.writePackets(messages, using: &compound, encode: { $0.encode(into: &$1) }) { (raw) throws(PacketError) in
            try PacketEncoder.encode(raw, security: security, crc: true, into: &out)
        }
    }
}
