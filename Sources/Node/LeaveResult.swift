/// How `GossipNode.leaveAndShutdown` stopped waiting for its leave broadcast
/// (memberlist-wire.md §9).
public enum LeaveResult: Hashable, Sendable {
    /// The leave message went out retransmit-limit times.
    case broadcastComplete
    /// The leave timeout passed first.
    case timedOut
    /// No live peer remained to gossip to, so the broadcast could never finish
    /// (gossip skips nodes that left); Go would block until the timeout.
    case noLivePeers
}
