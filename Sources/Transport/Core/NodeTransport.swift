import EventLoop

/// What the node needs from a transport (ARCHITECTURE.md "Transports"):
/// memberlist's own UDP+TCP (``MemberlistTransport``) or dskit's TCP transport
/// (``DskitTransport``). Both live on one ``EventLoop`` and are confined to its
/// thread: every property and method is called there, and every callback runs
/// there. Nothing blocks.
public protocol NodeTransport: AnyObject {
    /// The address peers reach this node at (memberlist's advertise address),
    /// also the dskit packet header address.
    var advertisedAddress: SocketAddress { get }

    /// Called for every inbound packet; the bytes are valid only during the call.
    var onPacket: ((InboundPacket) -> Void)? { get set }

    /// Called for every inbound stream, ready to read and write. Keep a
    /// reference to it while it is in use.
    var onStream: ((TransportStream) -> Void)? { get set }

    /// The most the compress layers of one inbound packet may inflate to: what a
    /// sender on this transport could have built (issue #12; docs/limits.md).
    var packetInflationLimit: Int { get }

    /// A snapshot of the counters (dskit metric meaning).
    var counters: TransportCounters { get }

    /// Sends one packet without blocking. The bytes are copied or sent before
    /// this returns. Failures and drops are counted, never reported (UDP loss;
    /// dskit's writers never report either, dskit-kv-ring.md §1).
    func sendPacket(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress)

    /// Opens a stream to `destination`; `completion` runs later on the loop,
    /// exactly once. `timeout` bounds the connect (and TLS handshake);
    /// memberlist passes its TCPTimeout (dskit: `stream_timeout`).
    func openStream(
        to destination: SocketAddress, timeout: Duration,
        _ completion: @escaping (Result<TransportStream, TransportError>) -> Void)

    /// Stops listening, cancels queued packets and closes the sockets this
    /// transport owns. Streams already handed out stay usable until closed.
    func shutdown()

    /// Re-reads the TLS certificate, key and CA files (always, or with
    /// `ifFilesChanged` only once they changed); nil when the transport has no TLS
    /// or nothing changed. ``DskitTransport/reloadTLS(ifFilesChanged:)``.
    func reloadTLS(ifFilesChanged: Bool) -> TLSReloadOutcome?
}

extension NodeTransport {
    /// Transports without TLS have nothing to reload.
    public func reloadTLS(ifFilesChanged: Bool) -> TLSReloadOutcome? { nil }
}
