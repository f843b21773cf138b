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
        (self.id, self.to, self.nodeName, self.state, self.timeout) = (id, to, nodeName, state, timeout)
    }
}
