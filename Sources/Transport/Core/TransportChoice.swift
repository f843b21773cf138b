import EventLoop

/// Which transport the node runs (dskit's `-memberlist.transport`, whose
/// default is dskit's own TCP transport; ARCHITECTURE.md "Transports").
public enum TransportChoice: Sendable, Equatable {
    /// memberlist's own UDP packets + TCP streams (`-memberlist.transport=udp`).
    case memberlist(MemberlistTransportConfiguration)
    /// dskit's TCP transport, optionally with TLS (the default).
    case dskit(DskitTransportConfiguration)

    /// Binds the chosen transport on `loop` (call on the loop thread).
    public func makeTransport(on loop: EventLoop) throws(TransportError) -> any NodeTransport {
        switch self {
        case .memberlist(let configuration):
            return try MemberlistTransport(loop: loop, configuration: configuration)
        case .dskit(let configuration):
            return try DskitTransport(loop: loop, configuration: configuration)
        }
    }
}
