import Wire

/// Typed reads of flag values; a value that does not parse becomes one
/// `ConfigError.invalidValue` line naming the flag and what is valid.
extension ParsedFlags {
    func bool(_ name: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let text = last(name) else { return fallback }
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: throw .invalidValue(flag: name, value: text, expected: FlagKind.bool.expectation)
        }
    }

    func int(_ name: String, default fallback: Int, min: Int = Int.min, max: Int = Int.max) throws(ConfigError) -> Int {
        guard let text = last(name) else { return fallback }
        guard let value = Int(text), value >= min, value <= max else {
            throw .invalidValue(flag: name, value: text, expected: FlagKind.int(min: min, max: max).expectation)
        }
        return value
    }

    /// A non-negative Go duration.
    func duration(_ name: String, default fallback: Duration) throws(ConfigError) -> Duration {
        guard let text = last(name) else { return fallback }
        guard let value = GoDuration.parse(text), value >= .zero else {
            throw .invalidValue(flag: name, value: text, expected: FlagKind.duration.expectation)
        }
        return value
    }

    func string(_ name: String, default fallback: String) -> String { last(name) ?? fallback }

    func choice(_ name: String, _ words: [String], default fallback: String) throws(ConfigError) -> String {
        guard let text = last(name) else { return fallback }
        guard words.contains(text) else {
            throw .invalidValue(flag: name, value: text, expected: FlagKind.choice(words).expectation)
        }
        return text
    }

    /// An IP literal (IPv4 or IPv6), or nil when the flag is absent or empty.
    func ipAddress(_ name: String) throws(ConfigError) -> IPAddress? {
        guard let text = last(name), !text.isEmpty else { return nil }
        guard let address = IPAddress(parsing: text) else {
            throw .invalidValue(flag: name, value: text, expected: "an IP address such as 10.0.0.1 or fd00::1")
        }
        return address
    }
}
