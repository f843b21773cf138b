/// `alive` (type 4), memberlist-wire.md §2.4 and §7.4.
public struct Alive: Hashable, Sendable {
    public var incarnation: UInt32
    public var node: String
    public var addr: IPAddress
    public var port: UInt16
    /// Delegate metadata; nil is msgpack nil, empty is a zero-length raw (§2.2).
    public var meta: [UInt8]?
    /// The version bytes [pmin, pmax, pcur, dmin, dmax, dcur]; may be short when received.
    public var vsn: [UInt8]

    public init(incarnation: UInt32, node: String, addr: IPAddress, port: UInt16, meta: [UInt8]?, vsn: [UInt8]) {
        self.incarnation = incarnation
        self.node = node
        self.addr = addr
        self.port = port
        self.meta = meta
        self.vsn = vsn
    }
}
