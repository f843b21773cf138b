/// A timer the core asks the runtime to arm with `MembershipEffect.armTimer`.
/// The runtime hands it back through `MembershipCore.timerFired(_:at:into:)`
/// at or after the instant. Timers are never cancelled: the core ignores
/// firings that are stale (superseded, early or for finished work), so the
/// runtime may also deliver duplicates.
public enum MembershipTimer: Hashable, Sendable {
    /// Failure-detection ticker, every ProbeInterval (§7.1).
    case probeTick
    /// Gossip ticker, every GossipInterval (§7.2).
    case gossipTick
    /// Periodic push/pull, every scaled PushPullInterval (§7.3).
    case pushPullTick
    /// ProbeTimeout after the direct ping of probe `seqNo`: go indirect (§7.1).
    case probeTimeout(seqNo: UInt32)
    /// End of the scaled probe interval of probe `seqNo`: decide the probe (§7.1).
    case probeDeadline(seqNo: UInt32)
    /// ProbeTimeout after we forwarded an indirect ping with our `seqNo`: nack if asked (§7.1).
    case indirectProbeTimeout(seqNo: UInt32)
    /// Suspicion timeout of `node` for the suspicion started as `generation` (§7.5).
    case suspicion(node: String, generation: UInt64)
    /// Timeout of a leave or metadata update waiting for its broadcast (§9).
    case operationTimeout(OperationID)
}
