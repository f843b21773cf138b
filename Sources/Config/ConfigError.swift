/// Why a command line was refused. Every case renders as one line that names
/// the flag, the bad value and what is accepted (ARCHITECTURE.md, "Config
/// errors stop start-up with one line").
public enum ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A flag that is not defined.
    case unknownFlag(String)
    /// A non-boolean flag at the end of the arguments, with no value.
    case missingValue(flag: String)
    /// A value that does not parse or is out of range; `expected` says what is valid.
    case invalidValue(flag: String, value: String, expected: String)
    /// A word that is not a flag (memberlistd takes no positional arguments).
    case unexpectedArgument(String)
    /// Flags that are valid one by one but not together.
    case inconsistent(flag: String, reason: String)
    /// `-help` or `-h` was given: print the usage text and exit 0.
    case helpRequested

    public var description: String {
        switch self {
        case .unknownFlag(let name):
            return "unknown flag -\(name): see -help for the accepted flags"
        case .missingValue(let name):
            return "flag -\(name) needs a value: use -\(name)=VALUE or -\(name) VALUE"
        case .invalidValue(let name, let value, let expected):
            return "invalid value \"\(value)\" for flag -\(name): expected \(expected)"
        case .unexpectedArgument(let word):
            return "unexpected argument \"\(word)\": memberlistd takes only flags (see -help)"
        case .inconsistent(let name, let reason):
            return "invalid flag -\(name): \(reason)"
        case .helpRequested:
            return "help requested"
        }
    }
}
