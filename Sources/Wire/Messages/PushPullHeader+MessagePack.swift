/// `pushPullHeader`: Join, Nodes, UserStateLen (memberlist-wire.md §2.4).
/// Go `int` fields are written in unsigned form when non-negative (go-msgpack v0.5 style).
extension PushPullHeader: MessagePackStruct {
    public static var goName: String { "pushPullHeader" }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 3)
        buffer.writeKey("Join"); buffer.writeBool(join)
        buffer.writeKey("Nodes"); buffer.writeInt(Int64(nodes))
        buffer.writeKey("UserStateLen"); buffer.writeInt(Int64(userStateLength))
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> PushPullHeader {
        var header = PushPullHeader(nodes: 0, userStateLength: 0, join: false)
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("Join") { header.join = try reader.readBool() }
            else if key.matches("Nodes") { header.nodes = try reader.readInt() }
            else if key.matches("UserStateLen") { header.userStateLength = try reader.readInt() }
            else { return false }
            return true
        }
        return header
    }
}
