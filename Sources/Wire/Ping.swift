/// `ping` (type 0), memberlist-wire.md §2.4. The Source* trio is omitempty:
/// a nil address, an empty name or a zero port is left off the wire.
public struct Ping: Hashable, Sendable {
    public var seqNo: UInt32
    /// The target's exact name; Go drops a ping whose non-empty Node is not its name (§10.11).
    public var node: String
    public var sourceAddr: IPAddress?
    public var sourcePort: UInt16
    public var sourceNode: String

    public init(seqNo: UInt32, node: String, sourceAddr: IPAddress? = nil, sourcePort: UInt16 = 0, sourceNode: String = "") {
        self.seqNo = seqNo
        self.node = node
        self.sourceAddr = sourceAddr
        self.sourcePort = sourcePort
        self.sourceNode = sourceNode
    }
}
