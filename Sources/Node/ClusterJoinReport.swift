/// Progress of `GossipNode.joinCluster` (dskit's full join, dskit-kv-ring.md §4),
/// reported on the loop so the application can log it.
public enum ClusterJoinReport: Hashable, Sendable {
    /// Attempt `attempt` reached at least one seed: joined, no more attempts.
    case joined(attempt: Int, outcome: JoinOutcome)
    /// Attempt `attempt` reached no seed; the next starts after `retryIn`, or
    /// none does (nil) and `gaveUp` follows.
    case attemptFailed(attempt: Int, outcome: JoinOutcome, retryIn: Duration?)
    /// Every attempt failed: the node runs alone (or the application aborts).
    case gaveUp(attempts: Int)
}
