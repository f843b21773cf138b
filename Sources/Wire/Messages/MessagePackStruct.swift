/// A memberlist struct carried as a msgpack map keyed by Go field names
/// (memberlist-wire.md §2.4). Encoders write keys in bytewise-sorted order as
/// go-msgpack does; decoders accept keys in any order, skip unknown ones and
/// leave missing ones at zero (§2.3).
public protocol MessagePackStruct {
    /// The Go type name, used in error reports.
    static var goName: String { get }
    /// Appends the msgpack map (no type byte).
    func encode(into buffer: inout WireBuffer)
    /// Reads one msgpack map from the reader's position.
    static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> Self
}

extension MessagePackReader {
    /// Reads a map, handing each key to `field`; keys it does not claim (returns false) are skipped.
    /// msgpack errors are reported with the struct and field they occurred in.
    @inlinable public mutating func decodeMap(
        _ structName: String,
        _ field: (inout MessagePackReader, MessagePackKey) throws(MessagePackError) -> Bool
    ) throws(MessageDecodeError) {
        let count: Int
        do { count = try readMapCount() } catch { throw .field(message: structName, field: "<map>", error) }
        // Each entry needs at least two bytes; a larger count is a truncated map, not a long loop.
        guard count <= remaining / 2 + 1 else {
            throw .field(message: structName, field: "<map>", .truncated(offset: offset, needed: count * 2, available: remaining))
        }
        for _ in 0..<count {
            let key: MessagePackKey
            do { key = try readKey() } catch { throw .field(message: structName, field: "<key>", error) }
            do {
                if try !field(&self, key) { try skipValue() }
            } catch {
                throw .field(message: structName, field: key.text, error)
            }
        }
    }
}

extension MessagePackStruct {
    /// Decodes one struct from `bytes` (convenience for tests and slow paths).
    public static func decode(_ bytes: [UInt8]) throws(MessageDecodeError) -> Self {
        var result: Result<Self, MessageDecodeError>?
        bytes.withUnsafeBytes { raw in
            var reader = MessagePackReader(raw)
            do throws(MessageDecodeError) { result = .success(try decode(from: &reader)) } catch { result = .failure(error) }
        }
        guard let result else { throw .empty }
        return try result.get()
    }

    /// The msgpack bytes of this struct (allocates; for tests and slow paths).
    public var messagePackBytes: [UInt8] {
        var buffer = WireBuffer()
        encode(into: &buffer)
        return buffer.bytes
    }
}
