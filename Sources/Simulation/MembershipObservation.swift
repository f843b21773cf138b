import Membership

/// What a simulated membership node reports to the simulator's event log and
/// observers: the core's events and operation results, plus user messages
/// delivered through its delegate.
public enum MembershipObservation: Hashable, Sendable {
    /// A member event (joined, updated, suspected, failed, left, conflict).
    case member(MembershipEvent)
    /// A user message arrived by packet (the raw bytes after type byte 8).
    case userMessage([UInt8])
    case joinFinished(OperationID, successes: Int, failures: [JoinFailure])
    case leaveFinished(OperationID, timedOut: Bool)
    case updateFinished(OperationID, timedOut: Bool)
    case mergeRejected(peer: NodeAddress, reason: MergeRejection)
}
