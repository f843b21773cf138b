import Wire

/// `-print.config`: the effective settings as the YAML file they could come
/// from, every catalog YAML key in catalog order (`memberlist:` then `server:`).
extension SettingValues {
    public var yaml: String {
        var text = ""
        var open: [Substring] = []
        for definition in FlagCatalog.definitions {
            guard let key = definition.yamlKey else { continue }
            let parts = key.split(separator: ".")
            let blocks = parts.dropLast()
            var shared = 0
            while shared < min(open.count, blocks.count), open[shared] == blocks[blocks.startIndex + shared] { shared += 1 }
            open.removeLast(open.count - shared)
            for block in blocks.dropFirst(shared) {
                text += String(repeating: "  ", count: open.count) + block + ":\n"
                open.append(block)
            }
            text += String(repeating: "  ", count: open.count) + (parts.last ?? "") + ":"
            text += Self.yamlValue(value(definition.name), indent: open.count) + "\n"
        }
        return text
    }

    /// A value after its key: scalars inline, strings double-quoted, lists as block sequences.
    private static func yamlValue(_ value: SettingValue, indent: Int) -> String {
        switch value {
        case .string(let text): return " " + quoted(text)
        case .list(let entries):
            if entries.isEmpty { return " []" }
            let prefix = "\n" + String(repeating: "  ", count: indent + 1) + "- "
            return entries.map { prefix + quoted($0) }.joined()
        default: return " " + value.text
        }
    }

    /// A YAML double-quoted string.
    private static func quoted(_ text: String) -> String {
        let escaped = TextEscaping.escape(text) { scalar in
            if let escape = TextEscaping.backslashEscape(scalar) { return escape }
            guard scalar.value < 0x20 else { return nil }
            let hex = String(scalar.value, radix: 16)
            return "\\x" + (hex.count == 1 ? "0" : "") + hex
        }
        return "\"" + escaped + "\""
    }
}
