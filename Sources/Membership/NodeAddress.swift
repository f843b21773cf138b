import Wire

/// An IP address and port: where packets and streams go (memberlist's "ip:port").
public struct NodeAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: IPAddress
    public var port: UInt16

    public init(ip: IPAddress, port: UInt16) { (self.ip, self.port) = (ip, port) }

    /// "ip:port", or "[ip]:port" for IPv6, as Go's net.JoinHostPort prints.
    public var description: String {
        if ip.count == 16 && !ip.isIPv4Mapped { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
