import CShims
import Wire

/// An IPv4 or IPv6 address with a port: Wire's `IPAddress` (4 or 16 bytes, inline) plus the
/// port and IPv6 zone the socket calls need. Built on the same IP type the cores use, so
/// an address goes between a packet, the core and a socket without conversion or
/// allocation.
///
/// The loop never resolves names (ARCHITECTURE.md: no DNS on the loop); IP text is parsed
/// by `IPAddress(parsing:)`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case ipv4, ipv6 }

    /// 4 bytes for IPv4, 16 for IPv6 (an IPv4-mapped address stays 16 bytes).
    public let ip: IPAddress
    public var port: UInt16
    /// IPv6 zone (interface index); 0 for IPv4 and global addresses.
    public var scopeID: UInt32

    /// nil unless `ip` has 4 or 16 bytes.
    public init?(ip: IPAddress, port: UInt16, scopeID: UInt32 = 0) {
        guard ip.count == 4 || ip.count == 16 else { return nil }
        self.ip = ip
        self.port = port
        self.scopeID = scopeID
    }

    /// Parses "127.0.0.1" or "::1" style literals (`IPAddress(parsing:)`); nil for anything else.
    public init?(ip text: String, port: UInt16) {
        guard let ip = IPAddress(parsing: text) else { return nil }
        self.init(ip: ip, port: port)
    }

    init?(_ raw: cshims_addr) {
        let count: Int
        switch raw.family {
        case 4: count = 4
        case 6: count = 16
        default: return nil
        }
        var bytes = raw.bytes
        let ip = withUnsafeBytes(of: &bytes) { IPAddress(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        guard let ip else { return nil }
        self.init(ip: ip, port: raw.port, scopeID: raw.scope_id)
    }

    public var family: Family { ip.count == 4 ? .ipv4 : .ipv6 }

    /// The C form used by the shims.
    var raw: cshims_addr {
        var raw = cshims_addr()
        raw.family = family == .ipv4 ? 4 : 6
        raw.port = port
        raw.scope_id = scopeID
        let ip = self.ip
        withUnsafeMutableBytes(of: &raw.bytes) { bytes in
            for index in 0..<ip.count { bytes[index] = ip[index] }
        }
        return raw
    }

    /// The IP as inet_ntop prints it ("127.0.0.1", "::1", "::ffff:10.0.0.1").
    public var ipString: String {
        var raw = self.raw
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            guard let base = buffer.baseAddress, cshims_addr_format(&raw, base, 64) == 0 else { return "?" }
            return String(cString: base)
        }
    }

    /// "ip:port", with brackets around IPv6 as Go's net.JoinHostPort writes it.
    public var description: String {
        family == .ipv4 ? "\(ipString):\(port)" : "[\(ipString)]:\(port)"
    }
}
