/// One SRV answer (RFC 2782): where a service instance listens.
public struct DNSServiceRecord: Hashable, Sendable, CustomStringConvertible {
    /// The target host name, without the trailing dot.
    public var target: String
    public var port: UInt16
    public var priority: UInt16
    public var weight: UInt16

    public var description: String { "\(target):\(port) (priority \(priority), weight \(weight))" }
}
