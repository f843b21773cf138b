/// The hasCrc wrapper `0c crc32be(rest) rest` (memberlist-wire.md §3.1, §3.3),
/// valid only as the outermost layer inside encryption.
public enum ChecksumHeader {
    public static let length = 5

    /// Appends `0c crc payload`.
    public static func encode(_ payload: UnsafeRawBufferPointer, into buffer: inout WireBuffer) {
        buffer.append(MessageType.hasCrc.rawValue)
        buffer.append(bigEndian: CRC32.checksum(payload))
        buffer.append(contentsOf: payload)
    }

    /// Inserts the header in front of everything written since `start` (no second buffer needed).
    public static func wrap(_ buffer: inout WireBuffer, from start: Int) {
        let crc = buffer.withUnsafeBytes { raw in CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[start...])) }
        var header = (MessageType.hasCrc.rawValue, UInt8(truncatingIfNeeded: crc >> 24), UInt8(truncatingIfNeeded: crc >> 16),
                      UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc))
        withUnsafeBytes(of: &header) { buffer.insert(contentsOf: $0, at: start) }
    }

    /// If `bytes` is a hasCrc wrapper (len ≥ 5 and first byte 12, as Go tests), verifies it and returns
    /// the inner payload; otherwise returns `bytes` unchanged.
    public static func unwrap(_ bytes: UnsafeRawBufferPointer) throws(PacketError) -> UnsafeRawBufferPointer {
        guard bytes.first == MessageType.hasCrc.rawValue else { return bytes }
        guard bytes.count >= length else { throw .truncatedChecksum(available: bytes.count) }
        let expected = UInt32(bytes[1]) << 24 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 8 | UInt32(bytes[4])
        let payload = UnsafeRawBufferPointer(rebasing: bytes[length...])
        let computed = CRC32.checksum(payload)
        guard computed == expected else { throw .checksumMismatch(expected: expected, computed: computed) }
        return payload
    }
}
