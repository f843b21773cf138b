/// dskit's packet writer pool (dskit-kv-ring.md §1): each packet is written on
/// its own TCP connection by one of a bounded set of writers.
public struct PacketWriterSettings: Hashable, Sendable {
    /// `packet_dial_timeout`, 2s.
    public var dialTimeout: Duration = .seconds(2)
    /// `packet_write_timeout`, 5s; zero = no deadline.
    public var writeTimeout: Duration = .seconds(5)
    /// `max_concurrent_writes`, 3 (≤ 0 behaves as 1).
    public var maxConcurrentWrites = 3
    /// `acquire_writer_timeout`, 250ms: after that the packet is dropped.
    public var acquireWriterTimeout: Duration = .milliseconds(250)

    public init() {}
}
