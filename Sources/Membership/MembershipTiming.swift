import Glibc
import MonotonicTime

/// memberlist's scaling formulas, exactly as Go computes them (float64 math,
/// truncations included). Durations are in nanoseconds.
public enum MembershipTiming {
    /// When a ticker that was due at `scheduled` fires next (Go's `time.Ticker`): one
    /// interval later, or one interval from `now` when the loop fell behind, so missed
    /// ticks are dropped rather than fired in a burst.
    static func nextTick(after scheduled: MonotonicInstant, interval: Int64, now: MonotonicInstant) -> MonotonicInstant {
        let next = scheduled.advanced(byNanoseconds: interval)
        return next > now ? next : now.advanced(byNanoseconds: interval)
    }

    /// Suspicion minimum (§7.5): SuspicionMult × max(1, log10(max(1, n))) ×
    /// interval, with the node scale truncated to 1/1000 (Go's `suspicionTimeout`).
    public static func suspicionMinimum(suspicionMult: Int, nodeCount: Int, probeInterval: Int64) -> Int64 {
        let nodeScale = Swift.max(1.0, log10(Swift.max(1.0, Double(nodeCount))))
        let scaled = Int64(nodeScale * 1000)
        return Int64(suspicionMult) &* scaled &* probeInterval / 1000
    }

    /// Retransmit limit (§7.2): retransmitMult × ceil(log10(n + 1)).
    public static func retransmitLimit(retransmitMult: Int, nodeCount: Int) -> Int {
        let nodeScale = ceil(log10(Double(nodeCount + 1)))
        return retransmitMult * Int(nodeScale)
    }

    /// Push/pull interval multiplier (§7.3): 1 for n ≤ 32, else ceil(log2 n − log2 32) + 1.
    public static func pushPullScale(nodeCount: Int) -> Int {
        if nodeCount <= 32 { return 1 }
        return Int(ceil(log2(Double(nodeCount)) - log2(32.0))) + 1
    }

    /// Suspicion timeout after `confirmations` independent confirmations (§7.5):
    /// max − (ln(c+1)/ln(k+1))·(max − min), floored to whole milliseconds, not below min.
    /// Measured from the start of the suspicion.
    public static func suspicionTimeout(confirmations: Int, k: Int, minimum: Int64, maximum: Int64) -> Int64 {
        let fraction = log(Double(confirmations) + 1.0) / log(Double(k) + 1.0)
        let minSeconds = Double(minimum) / 1e9
        let maxSeconds = Double(maximum) / 1e9
        let raw = maxSeconds - fraction * (maxSeconds - minSeconds)
        let milliseconds = floor(1000.0 * raw)
        guard milliseconds.isFinite else { return minimum }
        let timeout = Int64(Swift.max(Swift.min(milliseconds, 9e12), -9e12)) * 1_000_000
        return Swift.max(timeout, minimum)
    }

    /// Lifeguard awareness (§7.1): `interval × (score + 1)`.
    public static func scaled(_ interval: Int64, healthScore: Int) -> Int64 {
        interval &* Int64(healthScore + 1)
    }
}
