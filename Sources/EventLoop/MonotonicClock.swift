import CShims
import MonotonicTime

extension MonotonicInstant {
    /// Reads CLOCK_MONOTONIC: the only place the package reads the clock for timing
    /// (the cores are handed instants, ARCHITECTURE.md "The pure cores are sans-IO").
    public static func now() -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(clamping: cshims_monotonic_ns()))
    }
}
