import Membership

/// What a running node reports to the application, in order, from its loop.
public enum NodeEvent: Hashable, Sendable {
    /// A membership change (joined, updated, suspected, failed, left, conflict).
    case membership(MembershipEvent)
    /// A user message seen for the first time (packet or reliable stream); it
    /// has been queued for relaying to the rest of the cluster.
    case userMessage([UInt8])
}
