/// `suspect` and `dead` bodies: From, Incarnation, Node (memberlist-wire.md §2.4).
extension NodeAccusation: MessagePackStruct {
    public static var goName: String { Kind.goName }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 3)
        buffer.writeKey("From"); buffer.writeString(from)
        buffer.writeKey("Incarnation"); buffer.writeUnsigned(UInt64(incarnation))
        buffer.writeKey("Node"); buffer.writeString(node)
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> NodeAccusation {
        var accusation = NodeAccusation(incarnation: 0, node: "", from: "")
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("From") { accusation.from = try reader.readNodeName() }
            else if key.matches("Incarnation") { accusation.incarnation = try reader.readUInt32() }
            else if key.matches("Node") { accusation.node = try reader.readNodeName() }
            else { return false }
            return true
        }
        return accusation
    }
}
