import CShims
import Glibc
import MonotonicTime

/// A non-blocking TCP stream, optionally wrapped in TLS, owned by one loop.
///
/// Reading: `onRead` gets views of the loop's shared read buffer, valid only
/// during the call. Writing: `write` sends what the kernel takes at once and
/// queues the rest in a pooled buffer, flushed on writability (partial writes
/// never block the loop). `shutdownWrite` half-closes after the queue drains
/// (TLS sends close_notify first). Deadlines are absolute, like Go's
/// `SetReadDeadline`/`SetWriteDeadline`.
///
/// The loop keeps an open connection alive (holding a reference is optional);
/// `write` is allowed while connecting or handshaking and is flushed once the
/// connection is established.
///
/// Callbacks: `onClose` fires once when the connection ends for any reason
/// other than a local `close()`: a nil error means an orderly end (EOF seen in
/// both directions). When the peer half-closes, `onReadEOF` runs; without one
/// the connection shuts its own writing side once its output is flushed.
public final class TCPConnection {
    public let remoteAddress: SocketAddress
    public private(set) var localAddress: SocketAddress?

    public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    public var onReadEOF: (() -> Void)?
    /// Called whenever queued output has been fully handed to the kernel.
    public var onWritable: (() -> Void)?
    public var onClose: ((ConnectionError?) -> Void)?

    /// Upper bound on queued, unsent bytes; `write` refuses beyond it.
    public var maxPendingWriteBytes = 64 * 1024 * 1024
    /// Bytes accepted by `write` but not yet sent.
    public var pendingWriteBytes: Int { output?.count ?? 0 }
    public var isOpen: Bool { phase != .closed && pendingFailure == nil }
    /// The negotiated TLS version ("TLSv1.3"), nil for plain TCP.
    public var tlsProtocolVersion: String? { tls?.protocolVersion }

    /// True for a TLS connection (until it closes).
    public var isTLS: Bool { tls != nil }

    /// True when the TLS handshake resumed a session instead of exchanging certificates
    /// (never for plain TCP).
    public var tlsSessionResumed: Bool { tls?.isResumed ?? false }

    /// True when the TLS handshake negotiated `name` by ALPN (never for plain TCP).
    public func negotiatedApplicationProtocol(is name: String) -> Bool {
        tls?.negotiatedApplicationProtocol(is: name) ?? false
    }

    /// For a long-lived TLS connection carrying many small records: OpenSSL keeps
    /// its record buffers instead of freeing them whenever idle, so steady
    /// traffic allocates nothing. No effect on plain TCP.
    public func keepTLSBuffers() { tls?.keepBuffers() }

    enum Phase { case connecting, handshaking, open, closed }

    private unowned let loop: EventLoop
    private let fd: Int32
    private var watch: EventLoop.Watch?
    private(set) var phase: Phase
    private var tls: TLSSession?
    private var handshakeNeed: TLSSession.Need = .readable
    private var tlsReadNeedsWritable = false
    private var output: StreamBuffer?
    private var readClosed = false
    private var writeShutdownRequested = false
    private var writeClosed = false
    private var writeDeadlinePassed = false
    private var pendingFailure: ConnectionError?
    private var readDeadline: TimerID?
    private var writeDeadline: TimerID?
    private var establishDeadline: TimerID?
    private var interest: IOInterest = []
    /// Set while connecting/handshaking; answered once, on success or failure.
    private var establish: ((Result<TCPConnection, ConnectionError>) -> Void)?
    /// Reads (of up to 64 KiB each) per readiness event before yielding to
    /// other descriptors: the connection's byte budget per wakeup, so one
    /// flooding peer cannot hold the loop (ARCHITECTURE.md, "Errors and bad input").
    public var readsPerWakeup = 16
    /// While true the connection asks epoll for no readability: a server
    /// stops reading a client whose responses are not being taken (backpressure).
    public var isReadingPaused = false {
        didSet {
            guard isReadingPaused != oldValue, phase == .open else { return }
            updateInterest()
            if !isReadingPaused, !readClosed { loop.execute { [weak self] _ in self?.readAvailable() } }
        }
    }

    init(
        loop: EventLoop, fd: Int32, remote: SocketAddress, phase: Phase, tls: TLSSession?,
        establish: @escaping (Result<TCPConnection, ConnectionError>) -> Void
    ) {
        self.loop = loop
        self.fd = fd
        self.remoteAddress = remote
        self.phase = phase
        self.tls = tls
        self.establish = establish
        self.localAddress = try? SocketSupport.localAddress(fd)
    }

    deinit {
        if phase != .closed { SocketSupport.close(fd) }
    }

    // MARK: public operations

    /// Sends `bytes`, queueing what the socket cannot take now. Throws only for
    /// misuse or overload (`.notOpen`, `.writeBufferFull`, a passed write
    /// deadline); IO failures close the connection and arrive via `onClose`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ConnectionError) {
        guard phase != .closed, pendingFailure == nil, !writeShutdownRequested else { throw .notOpen }
        if writeDeadlinePassed { throw .timedOut(.write) }
        guard pendingWriteBytes + bytes.count <= maxPendingWriteBytes else {
            throw .writeBufferFull(limit: maxPendingWriteBytes)
        }
        var remaining = bytes
        if phase == .open, pendingWriteBytes == 0 {
            switch send(remaining) {
            case .failure(let error):
                failSoon(error)
                return
            case .success(let written):
                remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
            }
        }
        guard !remaining.isEmpty else { return }
        if output == nil { output = loop.streamBuffers.take() }
        output?.append(remaining)
        updateInterest()
    }

    /// Half-closes: once queued output is sent, sends FIN (after TLS close_notify).
    public func shutdownWrite() {
        guard phase != .closed, !writeShutdownRequested else { return }
        writeShutdownRequested = true
        if phase == .open, pendingWriteBytes == 0 { finishWriteSide(deferClose: true) }
    }

    /// Closes immediately, dropping queued output. No callback follows, and all are
    /// dropped, so what they capture is not kept alive by the connection.
    public func close() {
        onClose = nil
        onRead = nil
        onReadEOF = nil
        onWritable = nil
        establish = nil
        teardown(error: nil)
    }

    /// Closes the connection with `.timedOut(.read)` if it is still open at
    /// `deadline`; nil clears it.
    public func setReadDeadline(_ deadline: MonotonicInstant?) {
        if let readDeadline { loop.cancel(readDeadline) }
        readDeadline = nil
        guard let deadline, phase != .closed else { return }
        readDeadline = loop.schedule(at: deadline) { [weak self] _ in
            self?.readDeadline = nil
            self?.teardown(error: .timedOut(.read))
        }
    }

    /// At `deadline`, unsent output closes the connection with
    /// `.timedOut(.write)`, and later writes throw it; nil clears it.
    public func setWriteDeadline(_ deadline: MonotonicInstant?) {
        if let writeDeadline { loop.cancel(writeDeadline) }
        writeDeadline = nil
        writeDeadlinePassed = false
        guard let deadline, phase != .closed else { return }
        writeDeadline = loop.schedule(at: deadline) { [weak self] _ in
            guard let self else { return }
            self.writeDeadline = nil
            self.writeDeadlinePassed = true
            if self.pendingWriteBytes > 0 { self.teardown(error: .timedOut(.write)) }
        }
    }

    /// Both deadlines at once (Go's `SetDeadline`).
    public func setDeadline(_ deadline: MonotonicInstant?) {
        setReadDeadline(deadline)
        setWriteDeadline(deadline)
    }

    // MARK: loop side

    /// Registers with the loop; until established, `deadline` bounds the
    /// connect and TLS handshake. An already open (accepted, plain) connection
    /// is announced at once.
    func start(establishBy deadline: MonotonicInstant) throws(SystemError) {
        interest = desiredInterest()
        watch = try loop.register(fd, interest: interest, handler: { events in
            self.handle(events)
        }, onShutdown: { self.teardown(error: .loopStopped) })
        switch phase {
        case .open:
            becomeOpen()
        case .connecting, .handshaking:
            establishDeadline = loop.schedule(at: deadline) { [weak self] _ in
                guard let self else { return }
                self.establishDeadline = nil
                self.teardown(error: .timedOut(self.phase == .connecting ? .connect : .handshake))
            }
            if phase == .handshaking { driveHandshake() }
        case .closed:
            return
        }
    }

    private func handle(_ events: IOEvents) {
        switch phase {
        case .connecting:
            completeConnect()
        case .handshaking:
            driveHandshake()
        case .open:
            handleOpen(events)
        case .closed:
            return
        }
        updateInterest()
    }

    private func completeConnect() {
        do {
            guard try SocketSupport.connectOutcome(fd) else { return }  // not connected yet: spurious wakeup
        } catch {
            teardown(error: .system(error))
            return
        }
        localAddress = try? SocketSupport.localAddress(fd)
        if tls != nil {
            phase = .handshaking
            driveHandshake()
        } else {
            becomeOpen()
        }
    }

    private func driveHandshake() {
        guard let tls else { return }
        do {
            handshakeNeed = try tls.handshake()
        } catch {
            teardown(error: .tls(error))
            return
        }
        if handshakeNeed == .done { becomeOpen() } else { updateInterest() }
    }

    private func becomeOpen() {
        phase = .open
        if let establishDeadline { loop.cancel(establishDeadline) }
        establishDeadline = nil
        if let establish {
            self.establish = nil
            establish(.success(self))
        }
        guard phase == .open else { return }
        if pendingWriteBytes > 0 { flush() }
        if writeShutdownRequested, phase == .open, pendingWriteBytes == 0 { finishWriteSide(deferClose: false) }
        updateInterest()
    }

    private func handleOpen(_ events: IOEvents) {
        let readable = !events.isDisjoint(with: [.readable, .hangup, .error])
        if !readClosed, !isReadingPaused, readable || (tlsReadNeedsWritable && events.contains(.writable)) {
            readAvailable()
        }
        guard phase == .open else { return }
        if pendingWriteBytes > 0, events.contains(.writable) || (tls != nil && events.contains(.readable)) {
            flush()
        }
        guard phase == .open, readClosed, !events.isDisjoint(with: [.hangup, .error]) else { return }
        // Reading is over and the socket reports hang-up or error, which epoll
        // raises regardless of interest: settle it now rather than spin.
        var code: Int32 = 0
        _ = cshims_socket_error(fd, &code)
        if code != 0 {
            teardown(error: .system(SystemError(syscall: "socket", errno: code)))
        } else if pendingWriteBytes > 0 {
            flush()
        } else {
            teardown(error: nil)
        }
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        for _ in 0..<max(1, readsPerWakeup) {
            guard phase == .open, !readClosed, !isReadingPaused else { return }
            var count = 0
            if let tls {
                let outcome: TLSSession.ReadOutcome
                do { outcome = try tls.read(into: buffer) } catch {
                    teardown(error: .tls(error))
                    return
                }
                tlsReadNeedsWritable = false
                switch outcome {
                case .bytes(let n): count = n
                case .needsReadable: return
                case .needsWritable:
                    tlsReadNeedsWritable = true
                    return
                case .closed:
                    peerClosedWriting()
                    return
                }
            } else {
                let received: Int?
                do {
                    received = try nonBlocking("recv") { cshims_recv(fd, buffer.baseAddress, buffer.count) }
                } catch {
                    teardown(error: .system(error))
                    return
                }
                guard let received else { return }
                if received == 0 {
                    peerClosedWriting()
                    return
                }
                count = received
            }
            onRead?(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        // OpenSSL may hold decrypted bytes epoll cannot signal: come back soon.
        if phase == .open, !readClosed, let tls, tls.hasBufferedPlaintext {
            loop.execute { [weak self] _ in self?.readAvailable() }
        }
    }

    private func peerClosedWriting() {
        readClosed = true
        if let onReadEOF {
            onReadEOF()
        } else {
            shutdownWrite()
        }
        if phase == .open, writeClosed { teardown(error: nil) }
    }

    /// Writes as much of `bytes` as the socket takes now.
    private func send(_ bytes: UnsafeRawBufferPointer) -> Result<Int, ConnectionError> {
        var written = 0
        while written < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[written...])
            if let tls {
                do {
                    let (count, _) = try tls.write(rest)
                    if count == 0 { break }
                    written += count
                } catch {
                    return .failure(.tls(error))
                }
            } else {
                do {
                    guard let count = try nonBlocking("send", { cshims_send(fd, rest.baseAddress, rest.count) })
                    else { break }
                    written += count
                } catch {
                    return .failure(.system(error))
                }
            }
        }
        return .success(written)
    }

    private func flush() {
        guard let output, !output.isEmpty else { return }
        switch send(output.readable) {
        case .failure(let error):
            teardown(error: error)
            return
        case .success(let written):
            output.consume(written)
        }
        guard output.isEmpty else { return }
        loop.streamBuffers.give(output)
        self.output = nil
        if writeShutdownRequested { finishWriteSide(deferClose: false) }
        guard phase == .open else { return }
        onWritable?()
    }

    private func finishWriteSide(deferClose: Bool) {
        guard !writeClosed else { return }
        writeClosed = true
        tls?.sendCloseNotify()
        _ = cshims_shutdown_write(fd)
        guard readClosed else { return }
        if deferClose {
            loop.execute { [weak self] _ in self?.teardown(error: nil) }
        } else {
            teardown(error: nil)
        }
    }

    /// Closes later, so a failure met inside a caller's `write` does not
    /// re-enter the caller through `onClose`.
    private func failSoon(_ error: ConnectionError) {
        guard pendingFailure == nil else { return }
        pendingFailure = error
        loop.execute { [weak self] _ in self?.teardown(error: error) }
    }

    private func desiredInterest() -> IOInterest {
        switch phase {
        case .connecting: return .write
        case .handshaking: return handshakeNeed == .writable ? [.read, .write] : .read
        case .open:
            var wanted: IOInterest = readClosed || isReadingPaused ? [] : .read
            if pendingWriteBytes > 0 || tlsReadNeedsWritable { wanted.insert(.write) }
            return wanted
        case .closed: return []
        }
    }

    private func updateInterest() {
        guard phase != .closed, let watch else { return }
        let wanted = desiredInterest()
        guard wanted != interest else { return }
        do {
            try loop.setInterest(wanted, for: watch)
            interest = wanted
        } catch {
            teardown(error: .system(error))
        }
    }

    /// Releases everything and reports `error` to whoever is waiting.
    func teardown(error: ConnectionError?) {
        guard phase != .closed else { return }
        phase = .closed
        for timer in [readDeadline, writeDeadline, establishDeadline] {
            if let timer { loop.cancel(timer) }
        }
        readDeadline = nil
        writeDeadline = nil
        establishDeadline = nil
        if let watch { loop.unwatch(watch) }
        watch = nil
        SocketSupport.close(fd)
        tls = nil
        if let output { loop.streamBuffers.give(output) }
        output = nil
        let establish = self.establish
        let onClose = self.onClose
        // Drop user closures: they usually capture this connection.
        self.establish = nil
        self.onClose = nil
        onRead = nil
        onReadEOF = nil
        onWritable = nil
        if let establish {
            establish(.failure(error ?? .notOpen))
        } else {
            onClose?(error)
        }
    }
}
