/// Why a command line or config file was refused. Every case renders as one line that names
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
    /// A problem in the config file at `position`: `key` is the YAML key path
    /// ("" when the problem is not about one key), `problem` says what is wrong and what is valid.
    case inFile(FilePosition, key: String, problem: String)
    /// The config file cannot be read at all.
    case unreadableFile(path: String, reason: String)
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
        case .inFile(let position, let key, let problem):
            return key.isEmpty ? "\(position): \(problem)" : "\(position): \(key): \(problem)"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the config file: \(reason)"
        case .helpRequested:
            return "help requested"
        }
    }
}

extension ConfigError {
    /// The same error told against the config file when the setting it names
    /// came from there (`config.yaml:3:20: memberlist.gossip_interval: ...`).
    func located(by settings: SettingValues) -> ConfigError {
        let name: String, problem: String
        switch self {
        case .invalidValue(let flag, let value, let expected):
            name = flag
            problem = "invalid value \"\(value)\": expected \(expected)"
        case .inconsistent(let flag, let reason):
            name = flag
            problem = reason
        default:
            return self
        }
        guard case .file(let position) = settings.origin(name),
              let key = FlagCatalog.byName[name]?.yamlKey else { return self }
        return .inFile(position, key: key, problem: problem)
    }
}
