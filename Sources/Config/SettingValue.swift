/// One typed setting value, whichever source gave it (catalog default, YAML
/// file or flag): the one value type of the catalog (issue 13 item 5).
public enum SettingValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int)
    case duration(Duration)
    /// Free text and `FlagKind.choice` words.
    case string(String)
    case list([String])

    /// As Go's flag package prints it in `-help` and as `-print.config` writes it
    /// (durations `1m0s`, lists comma-joined).
    public var text: String {
        switch self {
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .duration(let value): return GoDuration.format(value)
        case .string(let value): return value
        case .list(let values): return values.joined(separator: ",")
        }
    }
}
