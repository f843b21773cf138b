import EventLoop
import Wire

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
        guard let ip = IPAddress(parsing: host) else { return nil }
        self.init(ip: ip, port: port)
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
        guard ip.isIPv4Mapped, let v4 = ip.ipv4 else { return self }
        return SocketAddress(ip: v4, port: port) ?? self
    }

    /// The IPv4-mapped IPv6 form of an IPv4 address, for sending from a socket
    /// bound to `::`; IPv6 addresses unchanged.
    public var mappingToIPv6: SocketAddress {
        guard family == .ipv4 else { return self }
        var bytes: (UInt64, UInt64) = (0, 0)
        let ip = self.ip
        let mapped = withUnsafeMutableBytes(of: &bytes) { raw -> IPAddress? in
            raw[10] = 0xFF
            raw[11] = 0xFF
            for index in 0..<4 { raw[12 + index] = ip[index] }
            return IPAddress(bytes: UnsafeRawBufferPointer(raw))
        }
        return mapped.flatMap { SocketAddress(ip: $0, port: port) } ?? self
    }

    /// True for 0.0.0.0 and ::.
    public var isUnspecified: Bool {
        for index in 0..<ip.count where ip[index] != 0 { return false }
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
}
