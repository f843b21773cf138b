/// `pushNodeState`, one member in a push/pull exchange (memberlist-wire.md §2.4, §4.2).
public struct PushNodeState: Hashable, Sendable {
    public var name: String
    public var addr: IPAddress
    public var port: UInt16
    public var meta: [UInt8]?
    public var incarnation: UInt32
    public var state: NodeStateKind
    /// Always 6 bytes when sent, for every state, or Go rejects the merge (§10.1).
    public var vsn: [UInt8]

    public init(name: String, addr: IPAddress, port: UInt16, meta: [UInt8]?, incarnation: UInt32,
                state: NodeStateKind, vsn: [UInt8]) {
        self.name = name
        self.addr = addr
        self.port = port
        self.meta = meta
        self.incarnation = incarnation
        self.state = state
        self.vsn = vsn
    }
}
