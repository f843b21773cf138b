/// The `compress` body `{Algo, Buf}` (type 9, memberlist-wire.md §2.4, §6):
/// a whole message, type byte included, compressed with `Algo`
/// (0 = LZW; 1 = snappy in grafana's fork, dskit-kv-ring.md §2).
public struct CompressedPayload: Hashable, Sendable, MessagePackStruct {
    public var algorithm: UInt8
    public var buffer: [UInt8]

    public init(algorithm: UInt8, buffer: [UInt8]) { (self.algorithm, self.buffer) = (algorithm, buffer) }

    public static var goName: String { "compress" }

    public func encode(into out: inout WireBuffer) {
        buffer.withUnsafeBytes { CompressedPayload.encode(algorithm: algorithm, buffer: $0, into: &out) }
    }

    /// Writes `{Algo, Buf}` from a borrowed buffer.
    public static func encode(algorithm: UInt8, buffer: UnsafeRawBufferPointer, into out: inout WireBuffer) {
        out.writeMapHeader(count: 2)
        out.writeKey("Algo"); out.writeUnsigned(UInt64(algorithm))
        out.writeKey("Buf"); out.writeBytes(buffer)
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> CompressedPayload {
        var payload = CompressedPayload(algorithm: 0, buffer: [])
        try decode(from: &reader) { algorithm, view in
            payload = CompressedPayload(algorithm: algorithm, buffer: [UInt8](view))
        }
        return payload
    }

    /// Reads `{Algo, Buf}` and hands `body` a view of Buf inside the input (no copy).
    /// A Buf given as an array of ints is materialised first.
    public static func decode(from reader: inout MessagePackReader,
                              _ body: (UInt8, UnsafeRawBufferPointer) -> Void) throws(MessageDecodeError) {
        var algorithm: UInt8 = 0
        var view: UnsafeRawBufferPointer?
        var copied: [UInt8]?
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("Algo") { algorithm = try reader.readUInt8() }
            else if key.matches("Buf") {
                let format = try reader.peekFormat()
                if (0x90...0x9f).contains(format) || format == 0xdc || format == 0xdd {
                    copied = try reader.readBytes()
                    view = nil
                } else {
                    view = try reader.readRawView()
                    copied = nil
                }
            }
            else { return false }
            return true
        }
        if let copied {
            copied.withUnsafeBytes { body(algorithm, $0) }
        } else {
            body(algorithm, view ?? UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}
