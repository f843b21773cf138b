import EventLoop
import MonotonicTime

/// One client connection of an `HTTPServer`: buffers input within the limits,
/// hands complete requests to the handler one at a time, writes answers in
/// order, and stops reading while its output is not being taken.
final class HTTPServerConnection {
    var onResponse: ((Int) -> Void)?
    /// Called once when the connection ends; true if a timeout ended it.
    var onEnd: ((Bool) -> Void)?
    /// Asked before a response turns into an event stream: false = the cap is reached.
    var admitStream: (() -> Bool)?
    /// Called once when this connection's event stream ends.
    var onStreamEnd: (() -> Void)?

    private unowned let loop: EventLoop
    private let tcp: TCPConnection
    private let limits: HTTPLimits
    private let handler: HTTPServer.Handler
    private var parser: HTTPRequestParser
    private var input: [UInt8] = []
    private var inFlight: HTTPExchange?
    private var closing = false
    private var processing = false
    private var ended = false
    /// The client half-closed: answer what is buffered, then close.
    private var peerDone = false
    /// Set once a response became an event stream: no further requests are read.
    private var stream: HTTPEventStream?

    init(loop: EventLoop, tcp: TCPConnection, limits: HTTPLimits, handler: @escaping HTTPServer.Handler) {
        self.loop = loop
        self.tcp = tcp
        self.limits = limits
        self.handler = handler
        parser = HTTPRequestParser(limits: limits)
    }

    func start() {
        tcp.readsPerWakeup = limits.readsPerWakeup
        tcp.maxPendingWriteBytes = limits.outputHighWater + limits.maxBodyBytes + 16 * 1024 * 1024
        tcp.onRead = { [weak self] bytes in self?.received(bytes) }
        tcp.onReadEOF = { [weak self] in self?.peerFinished() }
        tcp.onWritable = { [weak self] in self?.drained() }
        tcp.onClose = { [weak self] error in
            if case .timedOut = error { self?.end(timedOut: true) } else { self?.end(timedOut: false) }
        }
        tcp.setReadDeadline(loop.now + limits.idleTimeout)
    }

    func close() {
        tcp.close()
        end(timedOut: false)
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        // An event stream's client has nothing more to say; what it sends is dropped.
        guard !closing, stream == nil else { return }
        if input.isEmpty, !parser.isMidRequest, inFlight == nil {
            // The first byte of a request starts its deadline (slowloris bound).
            tcp.setReadDeadline(loop.now + limits.requestTimeout)
        }
        input.append(contentsOf: bytes)
        process()
    }

    /// Parses and dispatches buffered requests while nothing is in flight and
    /// the output is below the high-water mark.
    private func process() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while !closing, stream == nil, inFlight == nil, tcp.pendingWriteBytes <= limits.outputHighWater {
            let request: HTTPRequest?
            do {
                request = try parser.next(from: &input)
            } catch {
                fail(error)
                return
            }
            guard let request else { break }
            tcp.setReadDeadline(nil)
            let exchange = HTTPExchange(request: request, deliver: { [weak self] response in
                self?.answer(request, with: response)
            }, openStream: { [weak self] head in
                self?.beginStream(request, head: head)
            })
            inFlight = exchange
            handler(exchange)
        }
        if peerDone, inFlight == nil, !closing, tcp.pendingWriteBytes <= limits.outputHighWater {
            closing = true
            tcp.shutdownWrite()
            return
        }
        updateReading()
    }

    private func answer(_ request: HTTPRequest, with response: HTTPResponse) {
        guard !closing else { return }
        inFlight = nil
        let keep = request.keepAlive
        send(response, close: !keep, head: request.method == "HEAD")
        guard !closing else { return }
        // Between requests the idle timeout runs; a buffered pipelined request restarts it below.
        tcp.setReadDeadline(loop.now + (input.isEmpty ? limits.idleTimeout : limits.requestTimeout))
        if !processing { process() }
    }

    /// Turns the in-flight request's answer into an event stream; when the
    /// server's cap is reached, answers 503 instead.
    private func beginStream(_ request: HTTPRequest, head: HTTPResponse) -> HTTPEventStream? {
        guard !closing else { return nil }
        guard admitStream?() ?? false else {
            answer(request, with: HTTPError.unavailable("too many event streams open").response)
            return nil
        }
        inFlight = nil
        onResponse?(head.status.code)
        let stream = HTTPEventStream(write: { [weak self] bytes in
            self?.streamWrite(bytes) ?? false
        }, finish: { [weak self] in
            self?.close()
        })
        self.stream = stream
        tcp.setReadDeadline(nil)
        tcp.isReadingPaused = false
        if !streamWrite(head.serializedStreamHead()) { return nil }
        return stream
    }

    /// One event's bytes; false (and the connection closed) when the client
    /// does not take them: its backlog passed the high-water mark.
    private func streamWrite(_ bytes: [UInt8]) -> Bool {
        guard !closing, tcp.pendingWriteBytes <= limits.outputHighWater else {
            close()
            return false
        }
        let written = bytes.withUnsafeBytes { raw -> Bool in
            do { try tcp.write(raw) } catch { return false }
            return true
        }
        guard written else {
            close()
            return false
        }
        if tcp.pendingWriteBytes > 0 { tcp.setWriteDeadline(loop.now + limits.writeTimeout) }
        return true
    }

    private func send(_ response: HTTPResponse, close: Bool, head: Bool = false) {
        onResponse?(response.status.code)
        let bytes = response.serialized(close: close, includeBody: !head)
        let written = bytes.withUnsafeBytes { raw -> Bool in
            do { try tcp.write(raw) } catch { return false }
            return true
        }
        if !written {
            tcp.close()
            end(timedOut: false)
            return
        }
        if tcp.pendingWriteBytes > 0 { tcp.setWriteDeadline(loop.now + limits.writeTimeout) }
        if close {
            closing = true
            tcp.shutdownWrite()
        }
    }

    /// A parse error: answer it, then close once sent.
    private func fail(_ error: HTTPError) {
        input.removeAll()
        send(error.response, close: true)
    }

    private func drained() {
        tcp.setWriteDeadline(nil)
        guard !closing else { return }
        process()
    }

    /// Reading pauses while a request is in flight with a full head buffered,
    /// or while the client does not take its answers.
    private func updateReading() {
        guard !closing else { return }
        let backlog = inFlight != nil && input.count >= limits.maxHeaderBytes
        tcp.isReadingPaused = backlog || tcp.pendingWriteBytes > limits.outputHighWater
    }

    private func peerFinished() {
        if stream != nil {
            close()
            return
        }
        peerDone = true
        tcp.setReadDeadline(nil)
        process()
    }

    private func end(timedOut: Bool) {
        guard !ended else { return }
        ended = true
        closing = true
        inFlight?.abandon()
        inFlight = nil
        let onEnd = self.onEnd
        self.onEnd = nil
        onResponse = nil
        if let stream {
            self.stream = nil
            stream.ended()
            let onStreamEnd = self.onStreamEnd
            self.onStreamEnd = nil
            onStreamEnd?()
        }
        onEnd?(timedOut)
    }
}
