import EventLoop
import Glibc

extension SocketAddress {
    /// Parses Go's `net.JoinHostPort` form, `ip:port` or `[ipv6]:port`, from raw
    /// ASCII (the dskit packet header, dskit-kv-ring.md §1) without allocating.
    /// Only numeric IPs are accepted (zones are not); nil for anything else.
    public init?(hostPort text: UnsafeRawBufferPointer) {
        guard let colon = text.lastIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        guard let port = Self.parsePort(UnsafeRawBufferPointer(rebasing: text[(colon + 1)...])) else { return nil }
        var host = UnsafeRawBufferPointer(rebasing: text[..<colon])
        if host.first == UInt8(ascii: "[") {
            guard host.count >= 2, host.last == UInt8(ascii: "]") else { return nil }
            host = UnsafeRawBufferPointer(rebasing: host[1..<(host.count - 1)])
            guard host.contains(UInt8(ascii: ":")) else { return nil }
        } else if host.contains(UInt8(ascii: ":")) {
            return nil  // an IPv6 literal must be bracketed (Go: "too many colons")
        }
        guard let address = Self.parseNumericIP(host, port: port) else { return nil }
        self = address
    }

    /// Parses `ip:port` / `[ipv6]:port` from a string.
    public init?(hostPort text: String) {
        var text = text
        guard let parsed = text.withUTF8({ SocketAddress(hostPort: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// The IPv4 form of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which is
    /// how a dual-stack socket reports IPv4 peers and how Go prints them; other
    /// addresses unchanged.
    public var unmappingIPv4: SocketAddress {
        guard family == .ipv6, isIPv4Mapped else { return self }
        var octets: (UInt8, UInt8, UInt8, UInt8) = (ipByte(at: 12), ipByte(at: 13), ipByte(at: 14), ipByte(at: 15))
        let port = self.port
        return withUnsafeBytes(of: &octets) { SocketAddress(ipBytes: $0, port: port) } ?? self
    }

    /// The IPv4-mapped IPv6 form of an IPv4 address, for sending from a socket
    /// bound to `::`; IPv6 addresses unchanged.
    public var mappingToIPv6: SocketAddress {
        guard family == .ipv4 else { return self }
        var bytes: (UInt64, UInt64) = (0, 0)
        let port = self.port
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[10] = 0xFF
            raw[11] = 0xFF
            for index in 0..<4 { raw[12 + index] = ipByte(at: index) }
            return SocketAddress(ipBytes: UnsafeRawBufferPointer(raw), port: port)
        } ?? self
    }

    /// True for `::ffff:a.b.c.d`.
    var isIPv4Mapped: Bool {
        guard family == .ipv6 else { return false }
        for index in 0..<10 where ipByte(at: index) != 0 { return false }
        return ipByte(at: 10) == 0xFF && ipByte(at: 11) == 0xFF
    }

    /// True for 0.0.0.0 and ::.
    public var isUnspecified: Bool {
        for index in 0..<ipByteCount where ipByte(at: index) != 0 { return false }
        return true
    }

    /// This address with another port.
    func with(port: UInt16) -> SocketAddress {
        var copy = self
        copy.port = port
        return copy
    }

    private static func parsePort(_ digits: UnsafeRawBufferPointer) -> UInt16? {
        guard !digits.isEmpty, digits.count <= 5 else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 65_535 ? UInt16(value) : nil
    }

    /// inet_pton on a stack copy of `host` (IPv4 first, then IPv6).
    private static func parseNumericIP(_ host: UnsafeRawBufferPointer, port: UInt16) -> SocketAddress? {
        guard !host.isEmpty, host.count < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text -> SocketAddress? in
            guard let base = text.baseAddress else { return nil }
            for (index, byte) in host.enumerated() {
                guard byte != 0 else { return nil }
                text[index] = CChar(bitPattern: byte)
            }
            text[host.count] = 0
            var ip: (UInt64, UInt64) = (0, 0)
            return withUnsafeMutableBytes(of: &ip) { raw -> SocketAddress? in
                if inet_pton(AF_INET, base, raw.baseAddress) == 1 {
                    return SocketAddress(ipBytes: UnsafeRawBufferPointer(rebasing: raw[0..<4]), port: port)
                }
                if inet_pton(AF_INET6, base, raw.baseAddress) == 1 {
                    return SocketAddress(ipBytes: UnsafeRawBufferPointer(raw), port: port)
                }
                return nil
            }
        }
    }
}
