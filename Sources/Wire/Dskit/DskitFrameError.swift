/// Why a dskit TCP-transport connection could not be framed (dskit-kv-ring.md §1).
public enum DskitFrameError: Error, Hashable, Sendable {
    /// The connection closed before its first byte.
    case empty
    /// First byte is none of 0x01 (packet), 0x02 (stream), 0x03 (our packet stream).
    case unknownConnectionType(UInt8)
    /// Expected a packet connection (0x01) but found another type.
    case notAPacket(found: UInt8)
    /// The address length byte or the address itself is cut off.
    case truncatedAddress(declared: Int, available: Int)
    /// Fewer than 16 bytes after the address: no room for the MD5 trailer.
    case missingDigest(available: Int)
    /// The advertised address is longer than the one-byte length allows.
    case addressTooLong(length: Int)
    /// A packet-stream frame declared more bytes than the receiver accepts.
    case frameTooLarge(declared: Int, limit: Int)
}
