import Glibc
import Wire

/// Textual IP addresses (what `net.ParseIP` accepts for plain literals),
/// parsed with inet_pton: pure computation, no name resolution.
public enum IPLiteral {
    /// 4 bytes for dotted IPv4, 16 bytes for IPv6 (brackets allowed), nil otherwise.
    public static func parse(_ text: String) -> IPAddress? {
        var literal = Substring(text)
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = literal.dropFirst().dropLast() }
        guard !literal.isEmpty, literal.count <= 45 else { return nil }
        let string = String(literal)
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { IPAddress(bytes: $0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { IPAddress(bytes: $0) }
        }
        return nil
    }
}
