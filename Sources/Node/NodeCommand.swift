import Membership
import Transport
import Wire

/// Work handed to a node's loop from another thread (the `NodeHandle` API). Replies are `@Sendable` closures called on the loop.
enum NodeCommand: Sendable {
    case join([String], reply: @Sendable (JoinOutcome) -> Void)
    case leave(timeout: Duration, reply: @Sendable (Bool) -> Void)
    case members(reply: @Sendable ([Member]) -> Void)
    case broadcast([UInt8])
    case counters(reply: @Sendable (NodeCounters) -> Void)
    case transportCounters(reply: @Sendable (TransportCounters) -> Void)
    case shutdown(reply: @Sendable () -> Void)
}
