/// One setting of the catalog: its flag name (without the dash), its YAML key
/// path (nil = flag only), its kind with range or choices, its typed default,
/// and a one-line meaning. Flags and the config file both parse into the same
/// typed values through `kind` (issue 13 item 5: one home for defaults).
public struct FlagDefinition: Hashable, Sendable {
    public var name: String
    /// `memberlist.gossip_interval`: block, then key (nested blocks dotted).
    public var yamlKey: String?
    public var kind: FlagKind
    public var defaultValue: SettingValue
    /// `-help`'s default when the typed one does not tell all (a default that
    /// depends on the transport); nil = `defaultValue.text`.
    public var defaultNote: String?
    public var usage: String

    public init(_ name: String, yaml yamlKey: String? = nil, _ kind: FlagKind, default defaultValue: SettingValue,
                note defaultNote: String? = nil, _ usage: String) {
        self.name = name
        self.yamlKey = yamlKey
        self.kind = kind
        self.defaultValue = defaultValue
        self.defaultNote = defaultNote
        self.usage = usage
    }

    /// The default as `-help` prints it ("" = none shown).
    public var defaultText: String { defaultNote ?? defaultValue.text }
}
