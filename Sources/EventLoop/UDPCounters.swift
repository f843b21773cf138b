/// Per-socket UDP statistics; UDP loss is counted, never raised.
public struct UDPCounters: Sendable, Equatable {
    /// Datagrams handed to the reader.
    public var received = 0
    /// recvmmsg calls that returned at least one datagram.
    public var receiveBatches = 0
    /// Datagrams larger than a slab buffer (64 KiB), dropped.
    public var truncated = 0
    /// Datagrams the kernel accepted for sending.
    public var sent = 0
    /// Sends dropped because the socket buffer was full (EAGAIN).
    public var sendDropped = 0
    /// Sends that failed for another reason (unreachable, message too long, ...).
    public var sendFailed = 0
    /// Payloads that did not fit the reused send buffer.
    public var sendOversized = 0

    public init() {}
}
