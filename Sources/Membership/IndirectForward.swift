import Wire

/// An indirect ping we are running for another node (memberlist
/// `handleIndirectPing`, §7.1): forward an ack with the requester's SeqNo, or
/// a nack after ProbeTimeout when asked.
struct IndirectForward {
    let requesterSeqNo: UInt32
    let requester: NodeAddress
    let requesterName: String
    let wantsNack: Bool
}
