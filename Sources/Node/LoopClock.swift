import EventLoop

/// The event loop's CLOCK_MONOTONIC instant (nanoseconds, UInt64). The node
/// hands the same nanosecond count to the core as a `CoreInstant`.
typealias LoopInstant = MonotonicInstant

extension LoopInstant {
    /// The same point as the core sees it.
    var coreNanoseconds: Int64 { Int64(clamping: nanoseconds) }

    /// A loop instant from core nanoseconds (negative clamps to 0).
    init(coreNanoseconds: Int64) { self.init(nanoseconds: UInt64(max(0, coreNanoseconds))) }
}
