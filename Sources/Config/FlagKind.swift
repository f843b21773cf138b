/// The value types of Go's flag package that Pyroscope's memberlist flags use
/// (dskit-kv-ring.md §8), with their ranges and choices: each parses text
/// (a flag value or a YAML scalar) into a `SettingValue` and says what is valid.
public enum FlagKind: Hashable, Sendable {
    /// `-flag`, `-flag=true|false` (Go strconv.ParseBool spellings).
    case bool
    /// A decimal integer, bounded.
    case int(min: Int, max: Int)
    /// A non-negative Go duration such as `200ms`, `1m30s`.
    case duration
    /// Free text.
    case string
    /// One of a fixed set of words.
    case choice([String])
    /// Repeatable; each occurrence may hold a comma-separated list.
    case list

    /// The typed value of `text`, or nil when it is not valid for this kind.
    public func parse(_ text: String) -> SettingValue? {
        switch self {
        case .bool:
            switch text {
            case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
            case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
            default: return nil
            }
        case .int(let min, let max):
            guard let value = Int(text), value >= min, value <= max else { return nil }
            return .int(value)
        case .duration:
            guard let value = GoDuration.parse(text), value >= .zero else { return nil }
            return .duration(value)
        case .string:
            return .string(text)
        case .choice(let words):
            return words.contains(text) ? .string(text) : nil
        case .list:
            return .list(Self.splitList(text))
        }
    }

    /// A comma list's entries, trimmed, empties dropped.
    static func splitList(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmedSpaces }.filter { !$0.isEmpty }
    }

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

    /// The kind's word in a config-file error (`invalid duration "fast"`).
    var noun: String {
        switch self {
        case .bool: return "boolean"
        case .int: return "integer"
        case .duration: return "duration"
        case .string: return "string"
        case .choice: return "value"
        case .list: return "list"
        }
    }

    /// The type word `-help` shows after the flag, as Go's flag package does.
    var helpType: String {
        switch self {
        case .bool: return ""
        case .int: return " int"
        case .duration: return " duration"
        case .string, .choice: return " string"
        case .list: return " list"
        }
    }
}
