/// The compound message `07 N len1..lenN(u16 BE) part1..partN` (memberlist-wire.md §3.5).
public enum Compound {
    /// N is one byte (§10 pitfall 16).
    public static let maxParts = 255
    /// Each length is a u16.
    public static let maxPartLength = Int(UInt16.max)

    /// Appends one compound of 1...255 parts.
    public static func encode(parts: [[UInt8]], into buffer: inout WireBuffer) throws(PacketError) {
        let largest = parts.map(\.count).max() ?? 0
        guard parts.count <= maxParts, largest <= maxPartLength else {
            throw .compoundPartLimit(parts: parts.count, largestPart: largest)
        }
        buffer.append(MessageType.compound.rawValue)
        buffer.append(UInt8(parts.count))
        for part in parts { buffer.append(bigEndian: UInt16(part.count)) }
        for part in parts { buffer.append(contentsOf: part) }
    }

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
