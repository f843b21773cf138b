/// One parsed request: method, target split into path and query, headers as
/// sent (names compared case-insensitively), and the `Content-Length` body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The target as sent (`/memberlist?viewKey=a`).
    public var target: String
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, target: String, version: String = "HTTP/1.1",
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The percent-decoded path, without the query.
    public var path: String {
        let raw = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return Self.percentDecoded(Substring(raw), plusIsSpace: false)
    }

    /// The path's segments, each percent-decoded on its own, so `%2F` stays
    /// inside a segment (`/v1/ring/collectors%2Fring` → `v1`, `ring`, `collectors/ring`).
    public var pathSegments: [String] {
        let raw = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return raw.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            Self.percentDecoded($0, plusIsSpace: false)
        }
    }

    /// The query's name/value pairs in order, percent-decoded (`+` is a space).
    public var queryItems: [(name: String, value: String)] {
        guard let mark = target.firstIndex(of: "?") else { return [] }
        return Self.formItems(target[target.index(after: mark)...])
    }

    /// The first query value named `name`.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// An `application/x-www-form-urlencoded` body's pairs (the ring page's forget form).
    public var formItems: [(name: String, value: String)] {
        Self.formItems(Substring(String(decoding: body, as: UTF8.self)))
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether the client wants the connection kept after the response
    /// (RFC 9112 9.3: HTTP/1.1 persists unless `close`; HTTP/1.0 only with `keep-alive`).
    public var keepAlive: Bool {
        let tokens = (header("Connection") ?? "").lowercased().split(separator: ",").map {
            $0.trimmingCharacters(in: " \t")
        }
        if tokens.contains("close") { return false }
        return version == "HTTP/1.1" || tokens.contains("keep-alive")
    }

    static func formItems(_ text: Substring) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(parts[0], plusIsSpace: true)
            let value = parts.count > 1 ? percentDecoded(parts[1], plusIsSpace: true) : ""
            return (name, value)
        }
    }

    /// Decodes `%XX` escapes; a malformed escape stays as written.
    static func percentDecoded(_ text: Substring, plusIsSpace: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = text.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = pending.isEmpty ? bytes.next() : pending.removeFirst() {
            if byte == UInt8(ascii: "+"), plusIsSpace {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard let high = bytes.next() else { out.append(byte); break }
                guard let low = bytes.next() else { out.append(contentsOf: [byte, high]); break }
                if let h = hexValue(high), let l = hexValue(low) {
                    out.append(h << 4 | l)
                } else {
                    out.append(byte)
                    pending = [high, low]
                }
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing characters from `set` (no Foundation).
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = Substring(self).unicodeScalars[...]
        while let first = view.first, scalars.contains(first) { view = view.dropFirst() }
        while let last = view.last, scalars.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
