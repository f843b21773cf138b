/// Rewrites the characters a text format reserves and keeps the rest: one loop for
/// HTML (the admin pages), logfmt (the node's log lines) and YAML (`-print.config`),
/// each format giving only its own replacements. Peer-chosen names pass through all three.
public enum TextEscaping {
    /// `text` with each scalar for which `replacement` returns a string replaced by it.
    public static func escape(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replaced = replacement(scalar) {
                out += replaced
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The backslash escapes logfmt and YAML double-quoted strings share.
    public static func backslashEscape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\"": "\\\""
        case "\\": "\\\\"
        case "\n": "\\n"
        case "\t": "\\t"
        case "\r": "\\r"
        default: nil
        }
    }
}
