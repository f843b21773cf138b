import MonotonicTime
import Wire

/// A TCP fallback ping (§4.4): send `ping` over a stream, expect an ack with
/// the same SeqNo before `deadline`, and report with
/// `MembershipCore.streamPingFinished(seqNo:acked:at:into:)`, always, no later
/// than `deadline`.
public struct StreamPingRequest: Hashable, Sendable {
    public var to: NodeAddress
    public var nodeName: String
    public var ping: Ping
    public var deadline: MonotonicInstant
}
