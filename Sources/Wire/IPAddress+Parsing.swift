import Glibc

/// IP text to bytes: the one parser of IP literals in the package (flags, join seeds, bind
/// and advertise addresses, dskit packet headers, TLS server names). inet_pton is pure
/// computation (no name resolution) and accepts what Go's `net.ParseIP` accepts for plain
/// literals, IPv4 octets without leading zeros included.
extension IPAddress {
    /// 4 bytes for dotted IPv4, 16 for IPv6, from ASCII text without allocating; nil for
    /// anything else (names, zones, brackets, NUL bytes, empty text).
    public init?(parsing text: UnsafeRawBufferPointer) {
        guard !text.isEmpty, text.count < Self.maxTextLength else { return nil }
        let parsed = withUnsafeTemporaryAllocation(of: CChar.self, capacity: Self.maxTextLength) { cString -> IPAddress? in
            guard let base = cString.baseAddress else { return nil }
            for (index, byte) in text.enumerated() {
                guard byte != 0 else { return nil }
                cString[index] = CChar(bitPattern: byte)
            }
            cString[text.count] = 0
            var storage: (UInt64, UInt64) = (0, 0)
            return withUnsafeMutableBytes(of: &storage) { raw -> IPAddress? in
                if inet_pton(AF_INET, base, raw.baseAddress) == 1 {
                    return IPAddress(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<4]))
                }
                if inet_pton(AF_INET6, base, raw.baseAddress) == 1 {
                    return IPAddress(bytes: UnsafeRawBufferPointer(raw))
                }
                return nil
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// As above from a string; an IPv6 literal may also be written in brackets ("[::1]"), as
    /// in host:port forms.
    public init?(parsing text: String) {
        var literal = Substring(text)
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = literal.dropFirst().dropLast() }
        var string = String(literal)
        guard let parsed = string.withUTF8({ IPAddress(parsing: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Longest IP literal text plus its NUL (an IPv6 address with an embedded IPv4 is 45).
    private static let maxTextLength = 64
}
