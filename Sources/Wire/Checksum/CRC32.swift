/// CRC-32/IEEE (reflected polynomial 0xEDB88320), table-driven, as Go's
/// `crc32.ChecksumIEEE` computes it for the hasCrc wrapper (memberlist-wire.md §3.3).
public enum CRC32 {
    /// One entry per byte value; built once on first use.
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = (value & 1) != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    /// Checksum of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// Continues a checksum over more bytes (`crc` is a previous result, 0 to start).
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        table.withUnsafeBufferPointer { table in
            var value = ~crc
            for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xff)] ^ (value >> 8) }
            return ~value
        }
    }

    /// Checksum of an array (convenience).
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
