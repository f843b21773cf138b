import Membership

/// The membership core's instant (nanoseconds, Int64), named apart from the
/// event loop's `MonotonicInstant`, since Node sees both modules.
typealias CoreInstant = MonotonicInstant
