import CShims

/// An IPv4 or IPv6 address with a port, stored inline (no allocation).
///
/// Only numeric literals are parsed: the loop never resolves names
/// (ARCHITECTURE.md: no DNS on the loop; c-ares does that on readiness).
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case ipv4, ipv6 }

    public let family: Family
    public var port: UInt16
    /// IPv6 zone (interface index); 0 for IPv4 and global addresses.
    public var scopeID: UInt32
    private var high: UInt64
    private var low: UInt64

    /// Parses "127.0.0.1" or "::1" style literals; nil for anything else.
    public init?(ip: String, port: UInt16) {
        var raw = cshims_addr()
        guard cshims_addr_parse(ip, port, &raw) == 0 else { return nil }
        self.init(raw)
    }

    /// From 4 (IPv4) or 16 (IPv6) raw address bytes in network order.
    public init?(ipBytes: some Collection<UInt8>, port: UInt16) {
        guard ipBytes.count == 4 || ipBytes.count == 16 else { return nil }
        family = ipBytes.count == 4 ? .ipv4 : .ipv6
        self.port = port
        scopeID = 0
        high = 0
        low = 0
        for (index, byte) in ipBytes.enumerated() { setByte(byte, at: index) }
    }

    init?(_ raw: cshims_addr) {
        switch raw.family {
        case 4: family = .ipv4
        case 6: family = .ipv6
        default: return nil
        }
        port = raw.port
        scopeID = raw.scope_id
        high = 0
        low = 0
        let count = family == .ipv4 ? 4 : 16
        withUnsafeBytes(of: raw.bytes) { bytes in
            for index in 0..<count { setByte(bytes[index], at: index) }
        }
    }

    /// The C form used by the shims.
    var raw: cshims_addr {
        var raw = cshims_addr()
        raw.family = family == .ipv4 ? 4 : 6
        raw.port = port
        raw.scope_id = scopeID
        withUnsafeMutableBytes(of: &raw.bytes) { bytes in
            for index in 0..<ipByteCount { bytes[index] = byte(at: index) }
        }
        return raw
    }

    /// 4 for IPv4, 16 for IPv6.
    public var ipByteCount: Int { family == .ipv4 ? 4 : 16 }

    /// The address bytes in network order (allocates; use `ipByte(at:)` on hot paths).
    public var ipBytes: [UInt8] { (0..<ipByteCount).map { byte(at: $0) } }

    /// One address byte, `index` in `0..<ipByteCount`.
    public func ipByte(at index: Int) -> UInt8 {
        precondition(index >= 0 && index < ipByteCount, "SocketAddress byte index out of range")
        return byte(at: index)
    }

    /// The IP as inet_ntop prints it ("127.0.0.1", "::1").
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

    private func byte(at index: Int) -> UInt8 {
        let word = index < 8 ? high : low
        return UInt8(truncatingIfNeeded: word >> UInt64((7 - (index & 7)) * 8))
    }

    private mutating func setByte(_ value: UInt8, at index: Int) {
        let shift = UInt64((7 - (index & 7)) * 8)
        let mask = ~(UInt64(0xFF) << shift)
        if index < 8 {
            high = (high & mask) | (UInt64(value) << shift)
        } else {
            low = (low & mask) | (UInt64(value) << shift)
        }
    }
}
