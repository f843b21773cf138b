/// `indirectPingReq` body (memberlist-wire.md §2.4); Source* are omitempty.
extension IndirectPingRequest: MessagePackStruct {
    public static var goName: String { "indirectPingReq" }

    public func encode(into buffer: inout WireBuffer) {
        let hasAddr = (sourceAddr?.count ?? 0) > 0
        let hasNode = !sourceNode.isEmpty
        let hasPort = sourcePort != 0
        buffer.writeMapHeader(count: 5 + (hasAddr ? 1 : 0) + (hasNode ? 1 : 0) + (hasPort ? 1 : 0))
        buffer.writeKey("Nack"); buffer.writeBool(nack)
        buffer.writeKey("Node"); buffer.writeString(node)
        buffer.writeKey("Port"); buffer.writeUnsigned(UInt64(port))
        buffer.writeKey("SeqNo"); buffer.writeUnsigned(UInt64(seqNo))
        if hasAddr, let sourceAddr { buffer.writeKey("SourceAddr"); buffer.writeAddress(sourceAddr) }
        if hasNode { buffer.writeKey("SourceNode"); buffer.writeString(sourceNode) }
        if hasPort { buffer.writeKey("SourcePort"); buffer.writeUnsigned(UInt64(sourcePort)) }
        buffer.writeKey("Target"); buffer.writeAddress(target)
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> IndirectPingRequest {
        var request = IndirectPingRequest(seqNo: 0, target: IPAddress(), port: 0, node: "", nack: false)
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("Nack") { request.nack = try reader.readBool() }
            else if key.matches("Node") { request.node = try reader.readNodeName() }
            else if key.matches("Port") { request.port = try reader.readUInt16() }
            else if key.matches("SeqNo") { request.seqNo = try reader.readUInt32() }
            else if key.matches("SourceAddr") {
                let address = try reader.readAddress()
                request.sourceAddr = address.count == 0 ? nil : address
            }
            else if key.matches("SourceNode") { request.sourceNode = try reader.readNodeName() }
            else if key.matches("SourcePort") { request.sourcePort = try reader.readUInt16() }
            else if key.matches("Target") { request.target = try reader.readAddress() }
            else { return false }
            return true
        }
        return request
    }
}
