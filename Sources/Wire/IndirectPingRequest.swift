/// `indirectPingReq` (type 1), memberlist-wire.md §2.4: ask a peer to probe `target`.
public struct IndirectPingRequest: Hashable, Sendable {
    public var seqNo: UInt32
    public var target: IPAddress
    public var port: UInt16
    public var node: String
    /// Ask for a nack when the target does not answer (protocol 4+).
    public var nack: Bool
    public var sourceAddr: IPAddress?
    public var sourcePort: UInt16
    public var sourceNode: String

    public init(seqNo: UInt32, target: IPAddress, port: UInt16, node: String, nack: Bool,
                sourceAddr: IPAddress? = nil, sourcePort: UInt16 = 0, sourceNode: String = "") {
        self.seqNo = seqNo
        self.target = target
        self.port = port
        self.node = node
        self.nack = nack
        self.sourceAddr = sourceAddr
        self.sourcePort = sourcePort
        self.sourceNode = sourceNode
    }
}
