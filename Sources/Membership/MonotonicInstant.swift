/// A point on the runtime's monotonic clock, in nanoseconds since an arbitrary
/// origin. The core never reads a clock: every input carries `now`
/// (ARCHITECTURE.md, "The pure cores are sans-IO").
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

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public var description: String { "\(nanoseconds)ns" }
}

extension Duration {
    /// Whole nanoseconds, clamped to Int64 (config durations are far smaller).
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let secondsLimit = Int64.max / 1_000_000_000 - 1
        if seconds > secondsLimit { return .max }
        if seconds < -secondsLimit { return .min }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
