/// `ackResp` (type 2), memberlist-wire.md §2.4. A nil payload is msgpack nil.
public struct AckResponse: Hashable, Sendable {
    public var seqNo: UInt32
    public var payload: [UInt8]?

    public init(seqNo: UInt32, payload: [UInt8]? = nil) { (self.seqNo, self.payload) = (seqNo, payload) }
}
