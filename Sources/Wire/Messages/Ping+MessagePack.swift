/// `ping` body: Node, SeqNo, then the omitempty Source* trio (memberlist-wire.md §2.4).
extension Ping: MessagePackStruct {
    public static var goName: String { "ping" }

    public func encode(into buffer: inout WireBuffer) {
        let hasAddr = (sourceAddr?.count ?? 0) > 0
        let hasNode = !sourceNode.isEmpty
        let hasPort = sourcePort != 0
        buffer.writeMapHeader(count: 2 + (hasAddr ? 1 : 0) + (hasNode ? 1 : 0) + (hasPort ? 1 : 0))
        buffer.writeKey("Node"); buffer.writeString(node)
        buffer.writeKey("SeqNo"); buffer.writeUnsigned(UInt64(seqNo))
        if hasAddr, let sourceAddr { buffer.writeKey("SourceAddr"); buffer.writeAddress(sourceAddr) }
        if hasNode { buffer.writeKey("SourceNode"); buffer.writeString(sourceNode) }
        if hasPort { buffer.writeKey("SourcePort"); buffer.writeUnsigned(UInt64(sourcePort)) }
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> Ping {
        var ping = Ping(seqNo: 0, node: "")
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("Node") { ping.node = try reader.readNodeName() }
            else if key.matches("SeqNo") { ping.seqNo = try reader.readUInt32() }
            else if key.matches("SourceAddr") {
                let address = try reader.readAddress()
                ping.sourceAddr = address.count == 0 ? nil : address
            }
            else if key.matches("SourceNode") { ping.sourceNode = try reader.readNodeName() }
            else if key.matches("SourcePort") { ping.sourcePort = try reader.readUInt16() }
            else { return false }
            return true
        }
        return ping
    }
}
