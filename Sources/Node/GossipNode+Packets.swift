import EventLoop
import Membership
import MonotonicTime
import Transport
import Wire

/// Packets in and out (memberlist-wire.md §3): decode with the Wire packet
/// pipeline into the core; encode the core's packets into reused buffers.
extension GossipNode {
    /// An inbound packet: every message is handed to the core; any error of
    /// the outer layers drops the packet, counted by reason and logged at debug.
    /// Its compress layers may inflate only as far as `inflationBudget` allows
    /// (the transport's packet limit, at a bounded rate; issue #12).
    func packetArrived(_ packet: InboundPacket) {
        guard !isShutDown else { return }
        let from = NodeAddress(packet.source)
        let now = packet.receivedAt
        let inflationLimit = inflationBudget.limit(at: now.nanoseconds)
        defer { inflationBudget.charge(packetWorkspace.inflatedBytes) }
        do {
            let report = try PacketDecoder.decode(packet.bytes, security: security, inflationLimit: inflationLimit,
                                                  workspace: &packetWorkspace) { message in
                core.receive(message, from: from, at: now, into: &effects)
            }
            counters.packetsReceived += 1
            if report.droppedParts > 0 {
                counters.compoundPartsDropped += report.droppedParts
                if logger.enabled(.debug) {
                    logger.debug("dropped compound parts", ("peer", "\(packet.source)"),
                                 ("count", "\(report.droppedParts)"),
                                 ("reason", report.firstPartError.map { "\($0)" } ?? "unknown"))
                }
            }
        } catch {
            counters.packetsDropped[error.dropReason, default: 0] += 1
            if logger.enabled(.debug) {
                logger.debug("dropped packet", ("peer", "\(packet.source)"), ("reason", "\(error)"))
            }
        }
        drain()
    }

    /// Sends one core packet: its messages framed by `Compound.writePackets` (bare, compounds
    /// of at most 127 parts, an over-65,535-byte message alone; memberlist-wire.md §3.5), each
    /// packet then through label, encryption, CRC (when the core says the destination takes
    /// it, §3.3) and compression.
    func send(_ packet: OutgoingPacket) {
        guard !isShutDown, let destination = packet.to.socketAddress else {
            counters.packetsUnencodable += 1
            return
        }
        Compound.writePackets(packet.messages, using: &messageScratch) { raw in
            packetOut.removeAll(keepingCapacity: true)
            do {
                try PacketEncoder.encode(raw, security: security, crc: packet.addCRC, workspace: &packetWorkspace, into: &packetOut)
            } catch {
                counters.packetsUnencodable += 1
                logger.warn("cannot encode packet", ("peer", "\(destination)"), ("reason", "\(error)"))
                return
            }
            packetOut.withUnsafeBytes { transport.sendPacket($0, to: destination) }
            counters.packetsSent += 1
        }
    }
}

extension PacketError {
    /// The reason label a dropped packet is counted under.
    var dropReason: String {
        switch self {
        case .empty, .unknownType, .disallowedType, .nestingTooDeep, .message, .compoundTooShort:
            return "malformed"
        case .emptyLabel, .truncatedLabel, .labelTooLong, .labelMismatch, .missingLabel, .unexpectedLabel:
            return "label"
        case .decryptionFailed, .encryptionFailed:
            return "decrypt"
        case .truncatedChecksum, .checksumMismatch:
            return "checksum"
        case .unknownCompression, .decompressionFailed, .emptyDecompressed:
            return "decompress"
        case .inflationLimitExceeded:
            return "inflation"
        }
    }
}
