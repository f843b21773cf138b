import EventLoop
import MonotonicTime
import Transport
import Wire

/// One stream a peer opened to us (memberlist-wire.md §4): read its single
/// request (the dialer may prefix a label), let the node answer, write the
/// reply (never labelled) and close once the peer is done.
final class InboundStreamHandler {
    let stream: TransportStream
    private var decoder: StreamDecoder
    private weak var node: GossipNode?
    private var answered = false
    private var closed = false

    init(stream: TransportStream, security: PacketSecurity, node: GossipNode) {
        self.stream = stream
        decoder = StreamDecoder(security: security, acceptedStream: true)
        self.node = node
    }

    func begin(deadline: MonotonicInstant) {
        stream.setDeadline(deadline)
        stream.onReadable = { [weak self] in self?.readable() }
        stream.onClose = { [weak self] error in self?.ended(error) }
        if !stream.readableBytes.isEmpty || stream.isReadClosed { readable() }
    }

    private func readable() {
        guard !closed else { return }
        if answered {
            // After our reply only the peer's close matters.
            stream.consume(stream.readableBytes.count)
            if stream.isReadClosed { close() }
            return
        }
        let bytes = stream.readableBytes
        do {
            guard let node else { return close() }
            if let (message, consumed) = try node.decodeStream(&decoder, bytes) {
                stream.consume(consumed)
                answered = true
                node.streamRequest(message, on: self)
                return
            }
            if stream.isReadClosed {
                if !bytes.isEmpty { node.streamFailed(self, reason: "truncated", detail: "peer closed mid-message") }
                close()
            }
        } catch {
            answered = true
            // A bad or foreign cluster label counts as "label", as for packets (§3.2).
            let reason = if case .label = error { "label" } else { "malformed" }
            node?.streamFailed(self, reason: reason, detail: "\(error)")
            // Go answers a request it cannot read with errResp (§4.5).
            reply(.error(ErrorResponse(error: "\(error)")))
        }
    }

    /// Writes `message` as the reply and half-closes.
    func reply(_ message: Message) {
        guard !closed, let security = node?.security else { return }
        var frame = WireBuffer()
        do {
            try StreamEncoder.encode(message, security: security, writeLabel: false, into: &frame)
            try frame.withUnsafeBytes { (raw) throws(TransportError) in try stream.write(raw) }
            stream.finishWriting()
        } catch {
            node?.streamFailed(self, reason: "write", detail: "\(error)")
            close()
        }
    }

    private func ended(_ error: TransportError?) {
        guard !closed else { return }
        if let error, !answered { node?.streamFailed(self, reason: "transport", detail: "\(error)") }
        closed = true
        node?.streamFinished(self)
    }

    func close() {
        guard !closed else { return }
        closed = true
        stream.close()
        node?.streamFinished(self)
    }
}
