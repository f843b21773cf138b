import Config
import Membership

/// dskit's full join retry schedule (dskit-kv-ring.md §4, "Full join"): at
/// most `maxAttempts` attempts; after failed attempt n the next waits a random
/// time in [d, 2d) with d = `minBackoff` doubled n-1 times, both ends capped at
/// `maxBackoff` (once d reaches the cap the wait is exactly `maxBackoff`).
/// Pure: the caller supplies the random source and runs the timer.
public struct JoinSchedule: Hashable, Sendable {
    public var maxAttempts: Int
    public var minBackoff: Duration
    public var maxBackoff: Duration

    public init(maxAttempts: Int, minBackoff: Duration, maxBackoff: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.minBackoff = max(.zero, minBackoff)
        self.maxBackoff = max(self.minBackoff, maxBackoff)
    }

    /// `-memberlist.max-join-retries` (0 still makes one attempt, as dskit's
    /// loop runs once), `-memberlist.min-join-backoff`, `-memberlist.max-join-backoff`.
    public init(_ config: NodeConfig) {
        self.init(maxAttempts: config.maxJoinRetries, minBackoff: config.minJoinBackoff,
                  maxBackoff: config.maxJoinBackoff)
    }

    /// The wait before the attempt after failed attempt `attempt` (1-based):
    /// nil when no attempt remains, else `lower..<upper`, or `lower` alone
    /// (`lower == upper`) once the cap is reached.
    public func backoffRange(afterFailedAttempt attempt: Int) -> (lower: Duration, upper: Duration)? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        var lower = minBackoff
        for _ in 1..<attempt where lower < maxBackoff { lower = min(lower * 2, maxBackoff) }
        return (lower, min(lower * 2, maxBackoff))
    }

    /// A wait drawn from `backoffRange(afterFailedAttempt:)`; nil when no attempt remains.
    public func backoff(afterFailedAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Duration? {
        guard let (lower, upper) = backoffRange(afterFailedAttempt: attempt) else { return nil }
        let low = lower.nanosecondsClamped, high = upper.nanosecondsClamped
        guard low < high else { return lower }
        return .nanoseconds(Int64.random(in: low..<high, using: &random))
    }
}
