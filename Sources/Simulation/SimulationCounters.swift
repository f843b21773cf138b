/// Tallies of what the virtual network and clock did during a run, for
/// assertions ("no datagram crossed the partition") and profiling.
public struct SimulationCounters: Hashable, Sendable {
    public var eventsProcessed = 0
    public var datagramsSent = 0
    public var datagramsDelivered = 0
    /// Dropped by the loss draw.
    public var datagramsLost = 0
    /// Refused because a partition separated sender and receiver.
    public var datagramsPartitioned = 0
    /// Dropped because the receiver (or, while in flight, the sender) crashed.
    public var datagramsToCrashedNodes = 0
    public var timersArmed = 0
    public var timersFired = 0
    /// Timers discarded because their node crashed before they were due.
    public var timersDiscarded = 0
    public var streamsOpened = 0
    public var streamsReplied = 0
    public var streamsFailed = 0
    public var crashes = 0
    public var restarts = 0

    public init() {}
}
