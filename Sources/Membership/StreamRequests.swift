import Wire

/// A push/pull the runtime should run over a new stream (§4.2): dial, send
/// `state`, read the peer's reply, then report it with
/// `MembershipCore.pushPullFinished(_:result:at:into:)`, always (also on
/// failure), within `timeout`.
public struct PushPullRequest: Hashable, Sendable {
    public var id: UInt64
    public var to: NodeAddress
    /// The peer's name when known ("" for a join seed without a name).
    public var nodeName: String
    /// Our full state to send; `state.join` is the Join flag.
    public var state: PushPullState
    /// TCPTimeout: the stream's deadline from now.
    public var timeout: Duration

    public init(id: UInt64, to: NodeAddress, nodeName: String, state: PushPullState, timeout: Duration) {
        self.id = id
        self.to = to
        self.nodeName = nodeName
        self.state = state
        self.timeout = timeout
    }
}

/// A TCP fallback ping (§4.4): send `ping` over a stream, expect an ack with
/// the same SeqNo before `deadline`, and report with
/// `MembershipCore.streamPingFinished(seqNo:acked:at:into:)`, always, no later
/// than `deadline`.
public struct StreamPingRequest: Hashable, Sendable {
    public var to: NodeAddress
    public var nodeName: String
    public var ping: Ping
    public var deadline: MonotonicInstant

    public init(to: NodeAddress, nodeName: String, ping: Ping, deadline: MonotonicInstant) {
        self.to = to
        self.nodeName = nodeName
        self.ping = ping
        self.deadline = deadline
    }
}

/// Why a push/pull stream did not produce a remote state.
public enum PushPullFailure: Error, Hashable, Sendable {
    /// Dial, read, write or deadline failure.
    case transport(String)
    /// The peer replied with an errResp (§4.5).
    case remoteError(String)
    /// The reply was not a push/pull message or did not decode.
    case malformedReply(String)
}
