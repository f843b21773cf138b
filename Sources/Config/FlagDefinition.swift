/// One accepted flag: its name without the leading dash, type, default as
/// shown by `-help`, and a one-line meaning.
public struct FlagDefinition: Hashable, Sendable {
    public var name: String
    public var kind: FlagKind
    public var defaultText: String
    public var usage: String

    public init(_ name: String, _ kind: FlagKind, default defaultText: String, _ usage: String) {
        self.name = name
        self.kind = kind
        self.defaultText = defaultText
        self.usage = usage
    }
}
