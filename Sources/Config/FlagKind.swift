/// The value types of Go's flag package that Pyroscope's memberlist flags use
/// (dskit-kv-ring.md §8), plus the expectation text each error repeats.
public enum FlagKind: Hashable, Sendable {
    /// `-flag`, `-flag=true|false` (Go strconv.ParseBool spellings).
    case bool
    /// A decimal integer, optionally bounded.
    case int(min: Int, max: Int)
    /// A Go duration such as `200ms`, `1m30s`.
    case duration
    /// Free text.
    case string
    /// One of a fixed set of words.
    case choice([String])
    /// Repeatable; each occurrence may hold a comma-separated list.
    case list

    /// What a valid value looks like, for `ConfigError.invalidValue`.
    var expectation: String {
        switch self {
        case .bool: return "a boolean (true or false)"
        case .int(let min, let max):
            if max == Int.max { return "an integer >= \(min)" }
            return "an integer from \(min) to \(max)"
        case .duration: return "a duration such as 200ms or 1s"
        case .string: return "a string"
        case .choice(let words): return "one of " + words.joined(separator: ", ")
        case .list: return "a comma-separated list"
        }
    }
}
