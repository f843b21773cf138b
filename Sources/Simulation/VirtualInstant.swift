/// A point on the simulator's virtual clock, in nanoseconds since the start of
/// the run. Virtual time advances only when the next queued event is taken,
/// never with the wall clock.
public struct VirtualInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = VirtualInstant(nanoseconds: 0)

    public static func < (lhs: VirtualInstant, rhs: VirtualInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public static func + (lhs: VirtualInstant, rhs: VirtualDuration) -> VirtualInstant {
        VirtualInstant(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }

    /// The duration from `earlier` to `self`, zero if `earlier` is later.
    public func since(_ earlier: VirtualInstant) -> VirtualDuration {
        VirtualDuration(nanoseconds: nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0)
    }

    /// Seconds as a Double, for reports.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public var description: String { "t=\(seconds)s" }
}

/// A non-negative span of virtual time in nanoseconds.
public struct VirtualDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = VirtualDuration(nanoseconds: 0)

    public static func milliseconds(_ value: UInt64) -> VirtualDuration {
        VirtualDuration(nanoseconds: value &* 1_000_000)
    }

    public static func seconds(_ value: UInt64) -> VirtualDuration {
        VirtualDuration(nanoseconds: value &* 1_000_000_000)
    }

    /// Fractional seconds, rounded down to whole nanoseconds; negative → zero.
    public init(seconds value: Double) {
        nanoseconds = value > 0 ? UInt64(value * 1e9) : 0
    }

    public static func < (lhs: VirtualDuration, rhs: VirtualDuration) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public static func + (lhs: VirtualDuration, rhs: VirtualDuration) -> VirtualDuration {
        VirtualDuration(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }

    public static func * (lhs: VirtualDuration, rhs: UInt64) -> VirtualDuration {
        VirtualDuration(nanoseconds: lhs.nanoseconds &* rhs)
    }

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public var description: String { "\(seconds)s" }
}
