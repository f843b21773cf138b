/// Progress of `GossipNode.runJoinLifecycle`, dskit's three join phases
/// (dskit-kv-ring.md §4), reported on the loop so the application can log it.
public enum JoinLifecycleReport: Hashable, Sendable {
    /// Phase 1 ended: `reached` members answered, `needed` were required
    /// (`-memberlist.abort-if-fast-join-fails-min-nodes`). When `reached < needed`
    /// and `fatal` (`-memberlist.abort-if-fast-join-fails`) the lifecycle stops here.
    case fastJoin(reached: Int, needed: Int, outcome: JoinOutcome, fatal: Bool)
    /// Phase 2: an attempt of the full join with backoff.
    case fullJoin(ClusterJoinReport)
    /// Phase 3: one rejoin attempt through the rejoin seeds.
    case rejoin(JoinOutcome)

    /// Whether this report ends the process (`-memberlist.abort-if-fast-join-fails`).
    public var isFatalFastJoinFailure: Bool {
        if case let .fastJoin(reached, needed, _, fatal) = self { return fatal && reached < needed }
        return false
    }
}
