/// `alive` body: Addr, Incarnation, Meta, Node, Port, Vsn (memberlist-wire.md §2.4).
/// Vsn is a byte string, not an array (§10 pitfall 1).
extension Alive: MessagePackStruct {
    public static var goName: String { "alive" }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 6)
        buffer.writeKey("Addr"); buffer.writeAddress(addr)
        buffer.writeKey("Incarnation"); buffer.writeUnsigned(UInt64(incarnation))
        buffer.writeKey("Meta"); buffer.writeBytes(meta)
        buffer.writeKey("Node"); buffer.writeString(node)
        buffer.writeKey("Port"); buffer.writeUnsigned(UInt64(port))
        buffer.writeKey("Vsn"); buffer.writeBytes(vsn)
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> Alive {
        var alive = Alive(incarnation: 0, node: "", addr: IPAddress(), port: 0, meta: nil, vsn: [])
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("Addr") { alive.addr = try reader.readAddress() }
            else if key.matches("Incarnation") { alive.incarnation = try reader.readUInt32() }
            else if key.matches("Meta") { alive.meta = try reader.readBytes() }
            else if key.matches("Node") { alive.node = try reader.readNodeName() }
            else if key.matches("Port") { alive.port = try reader.readUInt16() }
            else if key.matches("Vsn") { alive.vsn = try reader.readBytes() ?? [] }
            else { return false }
            return true
        }
        return alive
    }
}
