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

    /// A YAML double-quoted string that libyaml reads back to `text`: besides the
    /// backslash escapes, every scalar YAML 1.1 does not allow raw (C0 and C1 controls,
    /// DEL, U+FFFE, U+FFFF) or reads as a line break that folds to a space (U+0085,
    /// U+2028, U+2029) is written as `\xHH` or `\uHHHH` (FuzzConfigFile: a node name
    /// with DEL printed to a file that did not load).
    private static func quoted(_ text: String) -> String {
        let escaped = TextEscaping.escape(text) { scalar in
            if let escape = TextEscaping.backslashEscape(scalar) { return escape }
            switch scalar.value {
            case 0..<0x20, 0x7F...0x9F: return hexEscape(scalar.value, prefix: "\\x", digits: 2)
            case 0x2028, 0x2029, 0xFFFE, 0xFFFF: return hexEscape(scalar.value, prefix: "\\u", digits: 4)
            default: return nil
            }
        }
        return "\"" + escaped + "\""
    }

    private static func hexEscape(_ value: UInt32, prefix: String, digits: Int) -> String {
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: digits - hex.count) + hex
    }
}
