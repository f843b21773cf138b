import Wire

/// Writes the outgoing packet of a probe as the runtime will: the ping plus broadcasts
/// piggybacked as one compound within the §3.4 budget (§3.5), then the CRC and label
/// layers (§3.1), all into buffers that are reused from packet to packet.
struct OutgoingPacketWriter {
    private var builder = CompoundBuilder(budget: 0)
    private var message = WireBuffer(capacity: 1_400)
    private var compound = WireBuffer(capacity: 65_536)
    /// The last packet written.
    private(set) var packet = WireBuffer(capacity: 65_536)

    mutating func write(ping: Ping, alives: [Alive], security: PacketSecurity) throws(PacketError) {
        message.removeAll(keepingCapacity: true)
        Message.ping(ping).encode(into: &message)
        builder.reset(budget: PacketBudget.piggyback(messageLength: message.count, labelLength: security.label.count,
                                                     encryptionOverhead: security.encryptionOverhead))
        _ = message.withUnsafeBytes { builder.appendUnbudgeted($0) }
        for alive in alives {
            message.removeAll(keepingCapacity: true)
            Message.alive(alive).encode(into: &message)
            _ = message.withUnsafeBytes { builder.append($0) }
        }
        // Move the packet buffer out so the emit closure can own it without an exclusivity conflict.
        var out = packet
        packet = WireBuffer()
        out.removeAll(keepingCapacity: true)
        var failure: PacketError?
        builder.emit(using: &compound) { raw in
            do throws(PacketError) { try PacketEncoder.encode(raw, security: security, crc: true, into: &out) } catch {
                failure = error
            }
        }
        packet = out
        if let failure { throw failure }
    }
}
