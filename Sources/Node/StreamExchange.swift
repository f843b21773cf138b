import EventLoop
import MonotonicTime
import Transport
import Wire

/// One outbound stream operation (memberlist-wire.md §4): dial, write one
/// framed request (label first, as the dialer), then either read one reply
/// (push/pull, fallback ping) or wait for the peer to close (user message).
/// Reports exactly once; the owner keeps it alive until then.
final class StreamExchange {
    /// Reply wanted, or nil when the request is one-way.
    let expectsReply: Bool
    private var decoder: StreamDecoder
    private var stream: TransportStream?
    private var completion: ((Result<Message?, ExchangeFailure>) -> Void)?
    /// Decodes the reply under its stream inflation budget.
    private weak var node: GossipNode?

    init(security: PacketSecurity, expectsReply: Bool, node: GossipNode,
         completion: @escaping (Result<Message?, ExchangeFailure>) -> Void) {
        self.expectsReply = expectsReply
        self.node = node
        decoder = StreamDecoder(security: security, acceptedStream: false)
        self.completion = completion
    }

    var isFinished: Bool { completion == nil }

    /// Dials `destination` and runs the exchange with a deadline.
    func run(transport: any NodeTransport, to destination: SocketAddress, request: Message,
             deadline: MonotonicInstant, security: PacketSecurity) {
        let timeout = MonotonicInstant.now().duration(to: deadline)
        guard timeout > .zero else {
            finish(.failure(ExchangeFailure("deadline passed before dialling")))
            return
        }
        transport.openStream(to: destination, timeout: timeout) { [weak self] result in
            guard let self, !self.isFinished else {
                if case .success(let stream) = result { stream.close() }
                return
            }
            switch result {
            case .failure(let error):
                self.finish(.failure(ExchangeFailure("dial \(destination): \(error)")))
            case .success(let stream):
                self.attach(stream, request: request, deadline: deadline, security: security)
            }
        }
    }

    private func attach(_ stream: TransportStream, request: Message, deadline: MonotonicInstant, security: PacketSecurity) {
        self.stream = stream
        stream.setDeadline(deadline)
        stream.onReadable = { [weak self] in self?.readable() }
        stream.onClose = { [weak self] error in
            guard let self else { return }
            if self.expectsReply {
                self.finish(.failure(ExchangeFailure(error.map { "\($0)" } ?? "stream closed before the reply")))
            } else if let error {
                self.finish(.failure(ExchangeFailure("\(error)")))
            } else {
                self.finish(.success(nil))
            }
        }
        var frame = WireBuffer()
        do {
            try StreamEncoder.encode(request, security: security, writeLabel: true, into: &frame)
            try frame.withUnsafeBytes { (raw) throws(TransportError) in try stream.write(raw) }
        } catch {
            finish(.failure(ExchangeFailure("write: \(error)")))
            return
        }
        if !expectsReply { stream.finishWriting() }
    }

    private func readable() {
        guard let stream, !isFinished else { return }
        if expectsReply {
            do {
                guard let node else { return finish(.failure(ExchangeFailure("node shut down"))) }
                if let (message, consumed) = try node.decodeStream(&decoder, stream.readableBytes) {
                    stream.consume(consumed)
                    finish(.success(message))
                    return
                }
            } catch {
                finish(.failure(ExchangeFailure("bad reply: \(error)")))
                return
            }
            if stream.isReadClosed { finish(.failure(ExchangeFailure("peer closed before a complete reply"))) }
        } else {
            stream.consume(stream.readableBytes.count)
            if stream.isReadClosed { finish(.success(nil)) }
        }
    }

    /// Closes the stream without reporting (node shutdown).
    func abort() {
        completion = nil
        stream?.close()
        stream = nil
    }

    private func finish(_ result: Result<Message?, ExchangeFailure>) {
        guard let completion else { return }
        self.completion = nil
        stream?.close()
        stream = nil
        completion(result)
    }
}

/// Why a stream exchange failed, as text for logs and core failure reasons.
public struct ExchangeFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
