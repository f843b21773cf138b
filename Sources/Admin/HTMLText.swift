import Wire

/// Escapes text for HTML element content and quoted attribute values
/// (`& < > " '`), so names, keys and addresses from peers cannot inject markup.
enum HTMLText {
    static func escape(_ text: String) -> String {
        TextEscaping.escape(text) { scalar in
            switch scalar {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&#39;"
            default: nil
            }
        }
    }

    /// Percent-encodes a query value (RFC 3986 unreserved characters stay).
    static func queryValue(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The page frame shared by `/memberlist` and `/ring`.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}\
        th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left}th{background:#eee}</style>
        </head><body>
        \(body)
        </body></html>

        """
    }
}
