import EventLoop
import Transport

/// `-memberlist.transport-debug` (dskit's flag): wraps the node's transport and
/// logs every packet and stream at debug level with peer, size and direction.
/// Only installed when the flag is set, so the packet path is untouched otherwise.
final class TransportDebugLog: NodeTransport {
    private let inner: any NodeTransport
    private let logger: Logger

    init(wrapping inner: any NodeTransport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    var advertisedAddress: SocketAddress { inner.advertisedAddress }
    var packetInflationLimit: Int { inner.packetInflationLimit }
    var counters: TransportCounters { inner.counters }

    var onPacket: ((InboundPacket) -> Void)? {
        didSet {
            let logger = logger
            inner.onPacket = Self.logging(onPacket) { packet in
                logger.debug("transport packet", ("direction", "in"), ("peer", "\(packet.source)"),
                             ("bytes", "\(packet.bytes.count)"))
            }
        }
    }

    var onStream: ((TransportStream) -> Void)? {
        didSet {
            let logger = logger
            inner.onStream = Self.logging(onStream) { stream in
                logger.debug("transport stream", ("direction", "in"), ("peer", "\(stream.remoteAddress)"))
            }
        }
    }

    /// `handler`, logging each call first with `log` (nil stays nil).
    private static func logging<Value>(_ handler: ((Value) -> Void)?, _ log: @escaping (Value) -> Void) -> ((Value) -> Void)? {
        guard let handler else { return nil }
        return { value in
            log(value)
            handler(value)
        }
    }

    func reloadTLS(ifFilesChanged: Bool) -> TLSReloadOutcome? { inner.reloadTLS(ifFilesChanged: ifFilesChanged) }

    func sendPacket(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        logger.debug("transport packet", ("direction", "out"), ("peer", "\(destination)"), ("bytes", "\(bytes.count)"))
        inner.sendPacket(bytes, to: destination)
    }

    func openStream(to destination: SocketAddress, timeout: Duration,
                    _ completion: @escaping (Result<TransportStream, TransportError>) -> Void) {
        let logger = logger
        inner.openStream(to: destination, timeout: timeout) { result in
            switch result {
            case .success:
                logger.debug("transport stream", ("direction", "out"), ("peer", "\(destination)"))
            case .failure(let error):
                logger.debug("transport stream failed", ("direction", "out"), ("peer", "\(destination)"),
                             ("err", "\(error)"))
            }
            completion(result)
        }
    }

    func shutdown() { inner.shutdown() }
}
