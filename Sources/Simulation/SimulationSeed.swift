#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a simulation test gets its seed: `SIM_SEED` from the environment when
/// set (to reproduce a failure), else the test's fixed default. Failure
/// messages carry `description` ("seed=<n>") so every failing run can be replayed.
public struct SimulationSeed: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Name of the environment variable that overrides the default seed.
    public static let environmentVariable = "SIM_SEED"

    /// `SIM_SEED` (decimal, or hex with a 0x prefix) when set and valid, else `fallback`.
    public static func fromEnvironment(default fallback: UInt64) -> SimulationSeed {
        guard let raw = getenv(environmentVariable) else { return SimulationSeed(fallback) }
        return SimulationSeed(parsing: String(cString: raw)) ?? SimulationSeed(fallback)
    }

    /// Decimal or 0x-prefixed hex, surrounding whitespace ignored; nil otherwise.
    public init?(parsing text: String) {
        let trimmed = text.filter { !$0.isWhitespace }
        let parsed: UInt64?
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") {
            parsed = UInt64(trimmed.dropFirst(2), radix: 16)
        } else {
            parsed = UInt64(trimmed)
        }
        guard let parsed else { return nil }
        value = parsed
    }

    public var description: String { "seed=\(value)" }
}
