/// Byte budgets for choosing piggybacked and gossiped broadcasts (memberlist-wire.md §3.4).
/// Each chosen part then costs its length + 2 (its u16 length-table entry).
public enum PacketBudget {
    /// UDPBufferSize default (dskit raises it to 10 MiB).
    public static let defaultPacketSize = 1400
    /// The `07 N` compound header.
    public static let compoundHeaderOverhead = 2
    /// The u16 length entry each compound part adds.
    public static let compoundPartOverhead = 2

    /// Budget for broadcasts piggybacked on a direct message of `messageLength` bytes:
    /// size − len(msg) − 2 − label overhead − encryption overhead. CRC and compression are not counted.
    public static func piggyback(messageLength: Int, packetSize: Int = defaultPacketSize,
                                 labelLength: Int, encryptionOverhead: Int) -> Int {
        packetSize - messageLength - compoundHeaderOverhead - LabelHeader.overhead(labelLength: labelLength) - encryptionOverhead
    }

    /// Budget for one gossip round: size − 2 − label overhead − encryption overhead.
    public static func gossip(packetSize: Int = defaultPacketSize, labelLength: Int, encryptionOverhead: Int) -> Int {
        packetSize - compoundHeaderOverhead - LabelHeader.overhead(labelLength: labelLength) - encryptionOverhead
    }
}
