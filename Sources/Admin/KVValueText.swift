import HTTP
import KV

/// How `viewKey`/`viewMsg` show a value: ring descriptors decoded to JSON,
/// other codecs as text when printable UTF-8, else as hex.
enum KVValueText {
    static func json(codec: String, encoded: [UInt8], pretty: Bool) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        if codec == RingDescCodec.codecID, let desc = try? RingDescCodec().decodeRing(encoded) {
            writeRing(desc, into: &writer)
        } else if let text = printable(encoded) {
            writer.string(text)
        } else {
            writer.string(hex(encoded))
        }
        return writer.bytes
    }

    static func writeRing(_ desc: RingDesc, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("ingesters")
        writer.beginObject()
        for id in desc.instances.keys.sorted() {
            guard let instance = desc.instances[id] else { continue }
            writer.key(id)
            writer.beginObject()
            writer.field("addr", instance.addr)
            writer.field("timestamp", instance.timestamp)
            writer.field("state", instance.state.description)
            writer.key("tokens")
            writer.beginArray()
            for token in instance.tokens { writer.integer(token) }
            writer.endArray()
            writer.field("zone", instance.zone)
            writer.field("registered_timestamp", instance.registeredTimestamp)
            writer.field("id", instance.id.isEmpty ? id : instance.id)
            writer.field("read_only", instance.readOnly)
            writer.field("read_only_updated_timestamp", instance.readOnlyUpdatedTimestamp)
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
    }

    static func printable(_ bytes: [UInt8]) -> String? {
        guard bytes.allSatisfy({ $0 >= 0x20 || $0 == 0x0A || $0 == 0x09 }) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return Array(text.utf8) == bytes ? text : nil
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out.append(contentsOf: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]) }
        return String(decoding: out, as: UTF8.self)
    }
}
