/// The typed value of every catalog setting and where it came from, merged
/// in precedence order: catalog defaults < config file < flags. Both sources
/// parse through the setting's `FlagKind`, so a value means the same thing
/// however it was given; `NodeConfig(settings:)` reads only these.
public struct SettingValues: Sendable, Equatable {
    /// Where a value came from (errors about file values name the file position).
    public enum Origin: Hashable, Sendable {
        case catalogDefault
        case file(FilePosition)
        case flag
    }

    private var values: [String: SettingValue] = [:]
    private var origins: [String: Origin] = [:]

    /// Every setting at its catalog default.
    public init() {
        for definition in FlagCatalog.definitions {
            values[definition.name] = definition.defaultValue
            origins[definition.name] = .catalogDefault
        }
    }

    /// The value of the setting named `name` (its default when never given).
    public func value(_ name: String) -> SettingValue {
        values[name] ?? FlagCatalog.byName[name]?.defaultValue ?? .string("")
    }

    public func origin(_ name: String) -> Origin { origins[name] ?? .catalogDefault }

    /// Whether a file or a flag gave the setting.
    public func isGiven(_ name: String) -> Bool { origin(name) != .catalogDefault }

    mutating func set(_ name: String, _ value: SettingValue, from origin: Origin) {
        values[name] = value
        origins[name] = origin
    }

    /// Applies the command line over what is set: scalars take the last
    /// occurrence, lists every occurrence (replacing a list from the file).
    mutating func apply(_ flags: ParsedFlags) throws(ConfigError) {
        var listsSeen: Set<String> = []
        for (name, text) in flags.occurrences {
            guard let definition = FlagCatalog.byName[name] else { throw .unknownFlag(name) }
            guard let parsed = definition.parse(text) else {
                throw .invalidValue(flag: name, value: text, expected: definition.kind.expectation)
            }
            if case .list(let entries) = parsed, case .list(let earlier) = value(name), listsSeen.contains(name) {
                set(name, .list(earlier + entries), from: .flag)
            } else {
                set(name, parsed, from: .flag)
            }
            listsSeen.insert(name)
        }
    }

    // Typed reads; the catalog fixes each setting's kind (CatalogTests check it).

    func bool(_ name: String) -> Bool {
        if case .bool(let value) = value(name) { return value }
        return false
    }

    func int(_ name: String) -> Int {
        if case .int(let value) = value(name) { return value }
        return 0
    }

    func duration(_ name: String) -> Duration {
        if case .duration(let value) = value(name) { return value }
        return .zero
    }

    func string(_ name: String) -> String {
        if case .string(let value) = value(name) { return value }
        return ""
    }

    func list(_ name: String) -> [String] {
        switch value(name) {
        case .list(let values): return values
        case .string(let text): return FlagKind.splitList(text)
        default: return []
        }
    }
}

extension FlagDefinition {
    /// `text` as this setting's typed value; the default's spelling is always
    /// accepted (`tls_min_version: ""` leaves the library default).
    func parse(_ text: String) -> SettingValue? {
        if case .string(let fallback) = defaultValue, fallback == text { return defaultValue }
        return kind.parse(text)
    }
}

/// A place in a config file, 1-based as editors count.
public struct FilePosition: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int

    public init(path: String, line: Int, column: Int) { (self.path, self.line, self.column) = (path, line, column) }

    public var description: String { "\(path):\(line):\(column)" }
}
