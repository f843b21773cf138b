/// The label header `f4 LL label[LL]` (LL 1...255) that prefixes packets and
/// the dialer side of streams when a cluster label is set (memberlist-wire.md §3.2).
public enum LabelHeader {
    public static let maxLength = 255

    /// Bytes the header adds: 0 without a label, else 2 + length (§3.4 budget).
    public static func overhead(labelLength: Int) -> Int { labelLength == 0 ? 0 : 2 + labelLength }

    /// Appends the header; nothing for an empty label.
    public static func encode(_ label: [UInt8], into buffer: inout WireBuffer) throws(PacketError) {
        guard !label.isEmpty else { return }
        guard label.count <= maxLength else { throw .labelTooLong(length: label.count) }
        buffer.append(MessageType.hasLabel.rawValue)
        buffer.append(UInt8(label.count))
        buffer.append(contentsOf: label)
    }

    /// Splits a label header off `bytes`: the label (empty when there is no header) and the rest.
    public static func strip(_ bytes: UnsafeRawBufferPointer) throws(PacketError) -> (label: UnsafeRawBufferPointer, rest: UnsafeRawBufferPointer) {
        guard bytes.first == MessageType.hasLabel.rawValue else {
            return (UnsafeRawBufferPointer(start: nil, count: 0), bytes)
        }
        guard bytes.count >= 2 else { throw .truncatedLabel(declared: -1, available: 0) }
        let length = Int(bytes[1])
        guard length > 0 else { throw .emptyLabel }
        guard bytes.count - 2 >= length else { throw .truncatedLabel(declared: length, available: bytes.count - 2) }
        return (UnsafeRawBufferPointer(rebasing: bytes[2..<(2 + length)]),
                UnsafeRawBufferPointer(rebasing: bytes[(2 + length)...]))
    }

    /// Applies memberlist's inbound rule (§3.2): with `skipInboundLabelCheck` the packet must carry
    /// no label and the local one is used; otherwise the packet's label must equal the local one.
    /// Returns the label to use as encryption AAD.
    public static func verify(packetLabel: UnsafeRawBufferPointer, localLabel: [UInt8],
                              skipInboundLabelCheck: Bool) throws(PacketError) -> [UInt8] {
        if skipInboundLabelCheck {
            guard packetLabel.isEmpty else { throw .unexpectedLabel(found: [UInt8](packetLabel)) }
            return localLabel
        }
        guard packetLabel.elementsEqual(localLabel) else {
            if packetLabel.isEmpty { throw .missingLabel(expected: localLabel) }
            throw .labelMismatch(expected: localLabel, found: [UInt8](packetLabel))
        }
        return localLabel
    }
}
