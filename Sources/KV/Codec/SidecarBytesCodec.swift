/// The `sidecar.bytes` codec (ours, issue 10): a `SidecarBytes` as
/// format byte 1, version (u64 big-endian), update time (i64 big-endian Unix ms),
/// flags (bit 0 = deleted), writer length (u16 big-endian), writer UTF-8, then the
/// value's bytes to the end. Short or unknown input is `undecodable`, never a crash.
public struct SidecarBytesCodec: KVCodec {
    public static let codecID = "sidecar.bytes"
    public var id: String { Self.codecID }
    static let format: UInt8 = 1
    static let headerBytes = 1 + 8 + 8 + 1 + 2

    public init() {}

    public func decode(_ bytes: [UInt8]) throws(KVError) -> any Sendable {
        guard bytes.count >= Self.headerBytes, bytes[0] == Self.format else {
            throw .undecodable(codec: id, reason: "short value or unknown format")
        }
        let version = Self.readUInt64(bytes, at: 1)
        let millis = Int64(bitPattern: Self.readUInt64(bytes, at: 9))
        let flags = bytes[17]
        let writerLength = Int(bytes[18]) << 8 | Int(bytes[19])
        guard bytes.count >= Self.headerBytes + writerLength,
              let writer = String(validating: bytes[Self.headerBytes..<(Self.headerBytes + writerLength)], as: UTF8.self)
        else { throw .undecodable(codec: id, reason: "writer name cut short or not UTF-8") }
        return SidecarBytes(bytes: Array(bytes[(Self.headerBytes + writerLength)...]), version: version, writer: writer,
                            updatedMillis: millis, deleted: flags & 1 != 0)
    }

    public func encode(_ value: any Sendable) -> [UInt8]? {
        guard let value = value as? SidecarBytes else { return nil }
        let writer = Array(value.writer.utf8.prefix(Int(UInt16.max)))
        var out: [UInt8] = [Self.format]
        out.reserveCapacity(Self.headerBytes + writer.count + value.bytes.count)
        Self.appendUInt64(value.version, to: &out)
        Self.appendUInt64(UInt64(bitPattern: value.updatedMillis), to: &out)
        out.append(value.deleted ? 1 : 0)
        out.append(UInt8(writer.count >> 8))
        out.append(UInt8(writer.count & 0xff))
        out.append(contentsOf: writer)
        out.append(contentsOf: value.bytes)
        return out
    }

    private static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes[offset..<(offset + 8)] { value = value << 8 | UInt64(byte) }
        return value
    }

    private static func appendUInt64(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
