import Testing
import Wire

/// Raw parts framed by the one compound encoder, `Compound.writePackets`, for tests that
/// build packets from hand-made (also malformed) part bytes.
enum CompoundFraming {
    /// Every packet `writePackets` makes of `parts`, in order.
    static func packets(_ parts: [[UInt8]]) -> [[UInt8]] {
        var scratch = WireBuffer()
        var packets: [[UInt8]] = []
        Compound.writePackets(parts, using: &scratch, encode: { $1.append(contentsOf: $0) }) { packets.append([UInt8]($0)) }
        return packets
    }

    /// The single compound packet of 2...127 parts of at most 65,535 bytes each.
    static func compound(_ parts: [[UInt8]]) throws -> [UInt8] {
        let framed = packets(parts)
        try #require(framed.count == 1 && framed[0].first == MessageType.compound.rawValue,
                     "\(parts.count) parts framed as \(framed.count) packets")
        return framed[0]
    }
}
