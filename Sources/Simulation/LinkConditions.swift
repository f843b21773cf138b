/// How one direction of a virtual link treats datagrams: independent loss
/// with probability `loss`, and a one-way delay of `latency` plus a uniform
/// extra in [0, jitter]. Streams (push/pull, stream ping) model TCP: their
/// segments are lost at the same rate and resent after TCP's timeouts, so they
/// arrive late, never lost; only partitions or crashes refuse them
/// (`VirtualNetwork.streamDelay`).
public struct LinkConditions: Hashable, Sendable {
    /// Probability in [0, 1] that a datagram is dropped.
    public var loss: Double
    public var latency: VirtualDuration
    public var jitter: VirtualDuration

    public init(loss: Double = 0, latency: VirtualDuration = .milliseconds(1), jitter: VirtualDuration = .zero) {
        self.loss = min(max(loss, 0), 1)
        self.latency = latency
        self.jitter = jitter
    }

    /// A quiet LAN: no loss, 0.5 ms plus up to 1 ms of jitter.
    public static let lan = LinkConditions(loss: 0, latency: .microseconds(500), jitter: .milliseconds(1))
}

extension VirtualDuration {
    public static func microseconds(_ value: UInt64) -> VirtualDuration {
        VirtualDuration(nanoseconds: value &* 1_000)
    }
}
