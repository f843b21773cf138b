/// `pushNodeState` body: Addr, Incarnation, Meta, Name, Port, State, Vsn (memberlist-wire.md §2.4).
extension PushNodeState: MessagePackStruct {
    public static var goName: String { "pushNodeState" }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 7)
        buffer.writeKey("Addr"); buffer.writeAddress(addr)
        buffer.writeKey("Incarnation"); buffer.writeUnsigned(UInt64(incarnation))
        buffer.writeKey("Meta"); buffer.writeBytes(meta)
        buffer.writeKey("Name"); buffer.writeString(name)
        buffer.writeKey("Port"); buffer.writeUnsigned(UInt64(port))
        buffer.writeKey("State"); buffer.writeInt(Int64(state.rawValue))
        buffer.writeKey("Vsn"); buffer.writeBytes(vsn)
    }

    /// An unknown State value (Go would keep the entry and ignore it in the merge) is reported as `.invalidValue`.
    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> PushNodeState {
        var node = PushNodeState(name: "", addr: IPAddress(), port: 0, meta: nil, incarnation: 0, state: .alive, vsn: [])
        var rawState: Int64 = 0
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            if key.matches("Addr") { node.addr = try reader.readAddress() }
            else if key.matches("Incarnation") { node.incarnation = try reader.readUInt32() }
            else if key.matches("Meta") { node.meta = try reader.readBytes() }
            else if key.matches("Name") { node.name = try reader.readNodeName() }
            else if key.matches("Port") { node.port = try reader.readUInt16() }
            else if key.matches("State") { rawState = try reader.readSigned(in: Int64(Int.min)...Int64(Int.max), expected: "int") }
            else if key.matches("Vsn") { node.vsn = try reader.readBytes() ?? [] }
            else { return false }
            return true
        }
        guard let state = NodeStateKind(rawValue: Int(rawState)) else {
            throw .invalidValue(message: goName, field: "State", found: rawState)
        }
        node.state = state
        return node
    }
}
