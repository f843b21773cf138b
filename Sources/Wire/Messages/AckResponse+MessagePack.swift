/// `ackResp` body: Payload (nil → 0xc0), SeqNo (memberlist-wire.md §2.4).
extension AckResponse: MessagePackStruct {
    public static var goName: String { "ackResp" }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 2)
        buffer.writeKey("Payload"); buffer.writeBytes(payload)
        buffer.writeKey("SeqNo"); buffer.writeUnsigned(UInt64(seqNo))
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> AckResponse {
        var ack = AckResponse(seqNo: 0)
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("Payload") { ack.payload = try reader.readBytes() }
            else if key.matches("SeqNo") { ack.seqNo = try reader.readUInt32() }
            else { return false }
            return true
        }
        return ack
    }
}
