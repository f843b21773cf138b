/// Splits a command line the way Go's `flag` package does, so Pyroscope
/// command lines work unchanged: `-flag=value`, `-flag value`, `--flag=value`,
/// bare booleans (`-flag`, or `-flag=false`; a boolean never takes the next
/// word), repeated flags kept in order, `--` ends the flags. Unlike Go,
/// positional arguments are refused, since memberlistd has none.
public struct FlagParser: Sendable {
    public let definitions: [FlagDefinition]
    private let byName: [String: FlagDefinition]

    public init(definitions: [FlagDefinition]) {
        self.definitions = definitions
        var byName: [String: FlagDefinition] = [:]
        for definition in definitions { byName[definition.name] = definition }
        self.byName = byName
    }

    /// Every (flag, raw value) in command-line order; values are not yet checked.
    public func parse(_ arguments: [String]) throws(ConfigError) -> ParsedFlags {
        var flags = ParsedFlags()
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                if index < arguments.count { throw .unexpectedArgument(arguments[index]) }
                break
            }
            guard word.hasPrefix("-"), word.count > 1 else { throw .unexpectedArgument(word) }
            var body = word.dropFirst()
            if body.hasPrefix("-") { body = body.dropFirst() }
            guard !body.isEmpty, !body.hasPrefix("-"), !body.hasPrefix("=") else {
                throw .unexpectedArgument(word)
            }
            let name: String
            var value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            guard let definition = byName[name] else {
                if name == "help" || name == "h" { throw .helpRequested }
                throw .unknownFlag(name)
            }
            if definition.kind == .bool {
                flags.append(name, value ?? "true")
                continue
            }
            if value == nil {
                guard index < arguments.count else { throw .missingValue(flag: name) }
                value = arguments[index]
                index += 1
            }
            flags.append(name, value ?? "")
        }
        return flags
    }
}

/// Raw flag values in command-line order; `SettingValues.apply` types them
/// through the catalog.
public struct ParsedFlags: Sendable, Equatable {
    public private(set) var occurrences: [(name: String, value: String)] = []

    public init() {}

    mutating func append(_ name: String, _ value: String) { occurrences.append((name, value)) }

    public static func == (lhs: ParsedFlags, rhs: ParsedFlags) -> Bool {
        lhs.occurrences.count == rhs.occurrences.count
            && zip(lhs.occurrences, rhs.occurrences).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmedSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
