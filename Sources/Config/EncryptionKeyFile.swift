import Wire

/// The gossip keyring file of `-memberlist.encryption-key-file`: one AES key
/// per line, hex or standard base64, of 16, 24 or 32 bytes (AES-128/192/256,
/// memberlist-wire.md §5); blank lines and `#` comments are skipped; the first
/// key is primary (it encrypts), all of them decrypt. Hex is tried first, as the
/// Go test peer does. The caller reads the file; this only parses text.
public enum EncryptionKeyFile {
    public static func parse(_ text: String, path: String) throws(ConfigError) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = String(rawLine).trimmedSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let key = decodeHex(line) ?? (line.isEmpty ? nil : Base64.decode(line)) else {
                throw .inconsistent(flag: flag, reason: "line \(lineNumber) of \(path) is neither hex nor base64")
            }
            guard [16, 24, 32].contains(key.count) else {
                throw .inconsistent(flag: flag,
                                    reason: "line \(lineNumber) of \(path) holds a \(key.count)-byte key; expected 16, 24 or 32 bytes")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw .inconsistent(flag: flag, reason: "\(path) holds no key") }
        return keys
    }

    static let flag = "memberlist.encryption-key-file"

    static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
