import MonotonicTime
import Wire

/// What the core asks the world to do; appended to the caller's effect buffer
/// by every core entry point (ARCHITECTURE.md, "The pure cores are sans-IO").
public enum MembershipEffect: Hashable, Sendable {
    /// Send one UDP packet.
    case send(OutgoingPacket)
    /// Run a push/pull exchange over a stream and report the result.
    case openPushPull(PushPullRequest)
    /// Run a TCP fallback ping and report the result.
    case openStreamPing(StreamPingRequest)
    /// Deliver `timer` back to the core at (or after) `at`.
    case armTimer(MembershipTimer, at: MonotonicInstant)
    /// A membership change for the application.
    case event(MembershipEvent)
    /// A join finished: every push/pull it started has reported (§9).
    /// Go's Join returns an error only when `successes == 0`.
    case joinFinished(OperationID, successes: Int, failures: [JoinFailure])
    /// A leave finished: its dead broadcast was sent retransmit-limit times, was
    /// superseded, or no other node was alive (`timedOut == false`); or the
    /// timeout passed first (`timedOut == true`) (§9).
    case leaveFinished(OperationID, timedOut: Bool)
    /// A metadata update finished, with the same meaning as `leaveFinished` (§9).
    case updateFinished(OperationID, timedOut: Bool)
    /// A push/pull merge was refused by the protocol-version check (§7.4); nothing was merged.
    case mergeRejected(peer: NodeAddress, reason: MergeRejection)
}
