/// `nackResp` body: SeqNo (memberlist-wire.md §2.4).
extension NackResponse: MessagePackStruct {
    public static var goName: String { "nackResp" }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 1)
        buffer.writeKey("SeqNo"); buffer.writeUnsigned(UInt64(seqNo))
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> NackResponse {
        var nack = NackResponse(seqNo: 0)
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            guard key.matches("SeqNo") else { return false }
            nack.seqNo = try reader.readUInt32()
            return true
        }
        return nack
    }
}
