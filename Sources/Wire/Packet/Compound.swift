/// The compound message `07 N len1..lenN(u16 BE) part1..partN` (memberlist-wire.md §3.5).
public enum Compound {
    /// Most parts we put in one compound. N is one byte (§10 pitfall 16), but Go's
    /// decodeCompoundMessage computes the length-table size as `numParts*2` in uint8, so
    /// a compound of 128...255 parts is mis-split by every Go peer (found with the golden
    /// fixtures `compound_128`/`compound_255`). Decoding still accepts up to 255.
    public static let maxParts = 127
    /// Each length is a u16; a longer part is sent on its own (`writePackets`).
    public static let maxPartLength = Int(UInt16.max)

    /// Frames `parts` into packets as memberlist's senders do and hands each one to `send`
    /// (memberlist-wire.md §3.5). This is the one compound encoder: every packet is written
    /// into the caller's reused `scratch` (cleared per packet), so framing allocates nothing.
    ///
    /// - No part: no packet. One part: sent bare, without a compound around it (Go `gossip`,
    ///   `sendMsg`).
    /// - More: compounds of at most `maxParts` parts in the given order; a run that ends with
    ///   a single part sends it bare.
    /// - A part longer than `maxPartLength` cannot have its length in the table: it goes out
    ///   alone as its own packet, as Grafana's memberlist fork does (`makeCompoundMessages`),
    ///   rather than as a zero-length part that Go would drop.
    ///
    /// `encode` appends one part to the buffer it is given. `send` sees bytes that live in
    /// `scratch` and are valid only during the call.
    public static func writePackets<Parts: Collection, E: Error>(
        _ parts: Parts, using scratch: inout WireBuffer,
        encode: (Parts.Element, inout WireBuffer) -> Void,
        send: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        var unread = parts.count
        var index = parts.startIndex
        while index != parts.endIndex {
            // Reserve the table for as many parts as this compound can take; an oversized part
            // that leaves it frees its slot for the next one.
            let slots = min(maxParts, unread)
            scratch.removeAll(keepingCapacity: true)
            scratch.append(MessageType.compound.rawValue)
            scratch.append(UInt8(slots))
            for _ in 0..<slots { scratch.append(bigEndian: UInt16(0)) }
            let bodyStart = scratch.count
            var filled = 0
            while filled < slots, index != parts.endIndex {
                let partStart = scratch.count
                encode(parts[index], &scratch)
                index = parts.index(after: index)
                unread -= 1
                let length = scratch.count - partStart
                if length > maxPartLength {
                    try scratch.withUnsafeBytes { (raw) throws(E) in
                        try send(UnsafeRawBufferPointer(rebasing: raw[partStart...]))
                    }
                    scratch.truncate(to: partStart)
                } else {
                    scratch.set(bigEndian: UInt16(length), at: tableOffset + 2 * filled)
                    filled += 1
                }
            }
            switch filled {
            case 0:
                continue
            case 1:
                try scratch.withUnsafeBytes { (raw) throws(E) in
                    try send(UnsafeRawBufferPointer(rebasing: raw[bodyStart...]))
                }
            default:
                if filled < slots {
                    scratch[1] = UInt8(filled)
                    scratch.removeSubrange((tableOffset + 2 * filled)..<bodyStart)
                }
                try scratch.withUnsafeBytes { (raw) throws(E) in try send(raw) }
            }
        }
    }

    /// `writePackets` for a node's messages, specialised here: called across the module
    /// boundary, the generic version runs unspecialised and boxes every element (one malloc
    /// per packet, measured by NodeBenchmarks' ping → ack rows), which breaks the
    /// allocation-free packet path.
    public static func writePackets(_ messages: [Message], using scratch: inout WireBuffer,
                                    send: (UnsafeRawBufferPointer) -> Void) {
        writePackets(messages, using: &scratch, encode: { $0.encode(into: &$1) }, send: send)
    }

    /// The length table follows the type byte and the count.
    private static let tableOffset = 2

    /// Outcome of decoding a compound body.
    public struct DecodeSummary: Hashable, Sendable {
        /// Parts handed to the visitor.
        public var parts: Int
        /// Parts declared but cut off (Go keeps the complete ones before them, §3.5).
        public var truncatedParts: Int
    }

    /// Decodes a compound body (after the 07 type byte), handing each complete part to `visit`.
    /// Too few bytes for the count or length table → error; a truncated part ends decoding
    /// and is reported in the summary; trailing bytes are ignored.
    public static func decode(_ body: UnsafeRawBufferPointer,
                              _ visit: (UnsafeRawBufferPointer) throws(PacketError) -> Void) throws(PacketError) -> DecodeSummary {
        guard let count = body.first.map(Int.init) else { throw .compoundTooShort(declaredParts: -1, available: 0) }
        let tableEnd = 1 + 2 * count
        guard body.count >= tableEnd else { throw .compoundTooShort(declaredParts: count, available: body.count - 1) }
        var offset = tableEnd
        for index in 0..<count {
            let length = Int(body[1 + 2 * index]) << 8 | Int(body[2 + 2 * index])
            guard body.count - offset >= length else {
                return DecodeSummary(parts: index, truncatedParts: count - index)
            }
            try visit(UnsafeRawBufferPointer(rebasing: body[offset..<(offset + length)]))
            offset += length
        }
        return DecodeSummary(parts: count, truncatedParts: 0)
    }
}
