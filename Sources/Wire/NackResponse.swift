/// `nackResp` (type 11), memberlist-wire.md §2.4: an indirect probe got no ack.
public struct NackResponse: Hashable, Sendable {
    public var seqNo: UInt32

    public init(seqNo: UInt32) { self.seqNo = seqNo }
}
