/// A point on the monotonic clock (CLOCK_MONOTONIC), in nanoseconds since an arbitrary,
/// fixed origin (boot). The one instant type of the package: the event loop's timers and
/// deadlines, the packets it stamps and the membership core's `now` are all this type
/// (ARCHITECTURE.md: "Never `Date` for timing"). Only EventLoop reads the clock
/// (`MonotonicInstant.now()`); the pure cores are handed instants (sans-IO).
///
/// Int64 covers 292 years of uptime and makes differences signed.
public struct MonotonicInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = MonotonicInstant(nanoseconds: 0)

    /// The instant `duration` later (saturating instead of trapping on overflow).
    public func advanced(by duration: Duration) -> MonotonicInstant {
        advanced(byNanoseconds: duration.nanosecondsClamped)
    }

    /// The instant `delta` nanoseconds later (saturating).
    public func advanced(byNanoseconds delta: Int64) -> MonotonicInstant {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(delta)
        if overflow { return MonotonicInstant(nanoseconds: delta > 0 ? .max : .min) }
        return MonotonicInstant(nanoseconds: sum)
    }

    /// Nanoseconds from `earlier` to `self` (saturating).
    public func nanoseconds(since earlier: MonotonicInstant) -> Int64 {
        let (difference, overflow) = nanoseconds.subtractingReportingOverflow(earlier.nanoseconds)
        if overflow { return earlier.nanoseconds > nanoseconds ? .min : .max }
        return difference
    }

    /// Time from this instant to `other` (negative when `other` is earlier).
    public func duration(to other: MonotonicInstant) -> Duration {
        .nanoseconds(other.nanoseconds(since: self))
    }

    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        lhs.advanced(by: rhs)
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public var description: String { "\(nanoseconds)ns" }
}

extension Duration {
    /// Whole nanoseconds, clamped to the Int64 range.
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
