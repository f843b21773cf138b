import CShims
import Glibc
import MonotonicTime

/// A non-blocking listening socket. Accepted connections are handed to
/// `onAccept` ready to use: for TLS, only after their handshake succeeded
/// (failed handshakes go to `onAcceptError` and are closed). The loop keeps
/// the listener alive until `close()` or loop shutdown.
public final class TCPListener {
    public let localAddress: SocketAddress
    /// TLS for connections accepted from now on; swap in a reloaded context
    /// (or call `reload` on it) to rotate certificates without a restart.
    public var tlsContext: TLSContext?
    /// How long an accepted connection may take to finish its TLS handshake.
    public var handshakeTimeout: Duration
    /// TLS handshakes in progress at once, in all and from one source address. A
    /// connection beyond either is closed at accept and reported to `onHandshakeRefused`:
    /// a slowloris that opens connections and never finishes a handshake holds each
    /// for `handshakeTimeout`, and unbounded it would use up the process's descriptors,
    /// stopping every accept and every outbound dial (issue #12). The per-source bound
    /// keeps one such host from taking the slots honest peers need.
    public var maxPendingHandshakes = Int.max
    public var maxPendingHandshakesPerSource = Int.max
    public var onHandshakeRefused: ((SocketAddress) -> Void)?
    /// Handshakes in progress now, in all and by source IP.
    public private(set) var pendingHandshakes = 0
    private var pendingHandshakesBySource: [String: Int] = [:]
    public private(set) var isOpen = true

    private unowned let loop: EventLoop
    private let fd: Int32
    private var watch: EventLoop.Watch?
    private let onAccept: (TCPConnection) -> Void
    /// Plain-TCP only: receives each accepted descriptor instead of a
    /// ``TCPConnection`` (the receiver owns and closes it), so a caller that
    /// pools its own per-connection state accepts without allocating.
    private let onAcceptDescriptor: ((AcceptedDescriptor) -> Void)?
    private let onAcceptError: ((ConnectionError, SocketAddress?) -> Void)?
    /// A Unix-socket listener's stand-in for its peers, which have no IP address.
    private let unixPeer: SocketAddress?
    private var resumeTimer: TimerID?
    private static let acceptsPerWakeup = 64
    /// Back-off when out of descriptors or memory (Go's accept loop sleeps too).
    private static let exhaustionBackoff: Duration = .milliseconds(50)

    init(
        loop: EventLoop, fd: Int32, localAddress: SocketAddress, tls: TLSContext?, handshakeTimeout: Duration,
        onAccept: @escaping (TCPConnection) -> Void, onAcceptDescriptor: ((AcceptedDescriptor) -> Void)? = nil,
        onAcceptError: ((ConnectionError, SocketAddress?) -> Void)?, unixPeer: SocketAddress? = nil
    ) {
        self.unixPeer = unixPeer
        self.loop = loop
        self.fd = fd
        self.localAddress = localAddress
        self.tlsContext = tls
        self.handshakeTimeout = handshakeTimeout
        self.onAccept = onAccept
        self.onAcceptDescriptor = onAcceptDescriptor
        self.onAcceptError = onAcceptError
    }

    deinit {
        if isOpen { SocketSupport.close(fd) }
    }

    /// Stops accepting; established connections are unaffected.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        if let watch { loop.unwatch(watch) }
        if let resumeTimer { loop.cancel(resumeTimer) }
        watch = nil
        SocketSupport.close(fd)
    }

    /// `start`, closing the socket when the loop refuses it.
    func startOrClose() throws(SystemError) {
        do {
            try start()
        } catch {
            close()
            throw error
        }
    }

    func start() throws(SystemError) {
        watch = try loop.register(fd, interest: .read, handler: { _ in
            self.acceptPending()
        }, onShutdown: { self.close() })
    }

    private func acceptPending() {
        for _ in 0..<Self.acceptsPerWakeup {
            guard isOpen else { return }
            var raw = cshims_addr()
            let accepted: Int32?
            do {
                accepted = try nonBlocking("accept4") { cshims_accept(fd, &raw) }
            } catch {
                switch error.errno {
                case ECONNABORTED, EPROTO, EPERM:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    pauseAccepting()
                    onAcceptError?(.system(error), nil)
                    return
                default:
                    onAcceptError?(.system(error), nil)
                    return
                }
            }
            guard let client = accepted else { return }
            guard let peer = SocketAddress(raw) ?? unixPeer else {
                SocketSupport.close(client)
                continue
            }
            adopt(client, peer: peer)
        }
    }

    private func adopt(_ client: Int32, peer: SocketAddress) {
        _ = cshims_set_int_option(client, CSHIMS_IPPROTO_TCP, CSHIMS_TCP_NODELAY, 1)
        if tlsContext == nil, let onAcceptDescriptor {
            onAcceptDescriptor(AcceptedDescriptor(fd: client, peer: peer))
            return
        }
        var session: TLSSession?
        let source = peer.ipString
        if let tlsContext {
            guard pendingHandshakes < maxPendingHandshakes,
                  pendingHandshakesBySource[source, default: 0] < maxPendingHandshakesPerSource else {
                SocketSupport.close(client)
                onHandshakeRefused?(peer)
                return
            }
            do {
                session = try TLSSession(context: tlsContext, fd: client, role: .server)
            } catch {
                SocketSupport.close(client)
                onAcceptError?(.tls(error), peer)
                return
            }
        }
        let onAccept = self.onAccept
        let onAcceptError = self.onAcceptError
        if session != nil { handshakeBegan(source) }
        let connection = TCPConnection(
            loop: loop, fd: client, remote: peer, phase: session == nil ? .open : .handshaking, tls: session
        ) { [weak self] result in
            if session != nil { self?.handshakeEnded(source) }
            switch result {
            case .success(let connection): onAccept(connection)
            case .failure(let error): onAcceptError?(error, peer)
            }
        }
        do {
            try connection.start(establishBy: loop.now + handshakeTimeout)
        } catch {
            connection.teardown(error: .system(error))
        }
    }

    private func handshakeBegan(_ source: String) {
        pendingHandshakes += 1
        pendingHandshakesBySource[source, default: 0] += 1
    }

    private func handshakeEnded(_ source: String) {
        pendingHandshakes -= 1
        let left = pendingHandshakesBySource[source, default: 1] - 1
        pendingHandshakesBySource[source] = left > 0 ? left : nil
    }

    private func pauseAccepting() {
        guard let watch else { return }
        try? loop.setInterest([], for: watch)
        resumeTimer = loop.schedule(after: Self.exhaustionBackoff) { [weak self] _ in
            guard let self, self.isOpen, let watch = self.watch else { return }
            self.resumeTimer = nil
            try? self.loop.setInterest(.read, for: watch)
        }
    }
}

extension EventLoop {
    /// Listens on `address` (SO_REUSEADDR). With `tls`, each accepted socket
    /// completes a TLS handshake within `handshakeTimeout` before `onAccept`.
    public func listenTCP(
        on address: SocketAddress,
        backlog: Int32 = 512,
        tls: TLSContext? = nil,
        handshakeTimeout: Duration = .seconds(10),
        onAccept: @escaping (TCPConnection) -> Void,
        onAcceptError: ((ConnectionError, SocketAddress?) -> Void)? = nil
    ) throws(SystemError) -> TCPListener {
        try makeListener(on: address, backlog: backlog, tls: tls, handshakeTimeout: handshakeTimeout,
                         onAccept: onAccept, onAcceptDescriptor: nil, onAcceptError: onAcceptError)
    }

    private func makeListener(
        on address: SocketAddress, backlog: Int32, tls: TLSContext?, handshakeTimeout: Duration,
        onAccept: @escaping (TCPConnection) -> Void, onAcceptDescriptor: ((AcceptedDescriptor) -> Void)?,
        onAcceptError: ((ConnectionError, SocketAddress?) -> Void)?
    ) throws(SystemError) -> TCPListener {
        let fd = try SocketSupport.open(family: address.family, type: CSHIMS_SOCK_STREAM)
        let local: SocketAddress
        do {
            try SocketSupport.setOption(
                fd, level: CSHIMS_SOL_SOCKET, name: CSHIMS_SO_REUSEADDR, value: 1, label: "setsockopt(SO_REUSEADDR)")
            try SocketSupport.bind(fd, to: address)
            _ = try retryingInterrupts("listen") { Glibc.listen(fd, backlog) }
            local = try SocketSupport.localAddress(fd)
        } catch {
            SocketSupport.close(fd)
            throw error
        }
        let listener = TCPListener(
            loop: self, fd: fd, localAddress: local, tls: tls, handshakeTimeout: handshakeTimeout,
            onAccept: onAccept, onAcceptDescriptor: onAcceptDescriptor, onAcceptError: onAcceptError)
        try listener.startOrClose()
        return listener
    }

    /// Listens on `address` without TLS and hands over each accepted socket as
    /// a bare non-blocking descriptor (TCP_NODELAY set). The receiver owns it:
    /// it opens it in a reusable ``TCPConnectionSlot``, wraps it with
    /// ``adoptConnectedTCP(_:)`` or closes it. Nothing is allocated per accept.
    public func listenTCP(
        on address: SocketAddress,
        backlog: Int32 = 512,
        onAcceptDescriptor: @escaping (AcceptedDescriptor) -> Void,
        onAcceptError: ((ConnectionError, SocketAddress?) -> Void)? = nil
    ) throws(SystemError) -> TCPListener {
        try makeListener(on: address, backlog: backlog, tls: nil, handshakeTimeout: .zero, onAccept: { $0.close() },
                         onAcceptDescriptor: onAcceptDescriptor, onAcceptError: onAcceptError)
    }

    /// Wraps an accepted, connected plain-TCP descriptor in an open
    /// ``TCPConnection``, which owns it from now on (also on failure: then it
    /// is closed and the error thrown).
    public func adoptConnectedTCP(_ accepted: AcceptedDescriptor) throws(SystemError) -> TCPConnection {
        let connection = TCPConnection(
            loop: self, fd: accepted.fd, remote: accepted.peer, phase: .open, tls: nil, establish: { _ in })
        do {
            try connection.start(establishBy: now)
        } catch {
            connection.teardown(error: .system(error))
            throw error
        }
        return connection
    }
}

/// A socket just accepted by a ``TCPListener`` in descriptor mode: open,
/// non-blocking, close-on-exec, owned by whoever receives it, who hands it to
/// a ``TCPConnectionSlot`` or ``EventLoop/adoptConnectedTCP(_:)``, or closes it.
public struct AcceptedDescriptor: Sendable {
    let fd: Int32
    public let peer: SocketAddress

    /// Refuses the connection: closes the descriptor (use no copy afterwards).
    public func close() { SocketSupport.close(fd) }
}
