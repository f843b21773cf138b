import EventLoop
import MonotonicTime

/// An HTTP/1.1 server on the event loop: a non-blocking listener, bounded
/// request parsing (`HTTPLimits`), keep-alive and pipelining, a connection cap,
/// idle and request timeouts, and responses written with backpressure
/// (ARCHITECTURE.md: only EventLoop touches descriptors; this builds on its
/// `TCPListener`/`TCPConnection`). Confined to the loop's thread.
public final class HTTPServer {
    public typealias Handler = (HTTPExchange) -> Void

    public let limits: HTTPLimits
    public var localAddress: SocketAddress { listener.localAddress }
    public private(set) var counters = HTTPServerCounters()
    public var openConnections: Int { connections.count }
    /// Connections that are event streams now (`HTTPLimits.maxEventStreams`).
    public private(set) var openEventStreams = 0

    private unowned let loop: EventLoop
    private var listener: TCPListener!
    private let handler: Handler
    private var connections: [ObjectIdentifier: HTTPServerConnection] = [:]

    /// Listens on `address`; `handler` answers every well-formed request.
    public convenience init(loop: EventLoop, address: SocketAddress, limits: HTTPLimits = HTTPLimits(),
                            handler: @escaping Handler) throws(SystemError) {
        try self.init(loop: loop, limits: limits, handler: handler) { onAccept throws(SystemError) in
            try loop.listenTCP(on: address, backlog: 128, onAccept: onAccept)
        }
    }

    /// Listens on a Unix socket at `unixPath` (`EventLoop.listenUnix`).
    public convenience init(loop: EventLoop, unixPath: String, limits: HTTPLimits = HTTPLimits(),
                            handler: @escaping Handler) throws(SystemError) {
        try self.init(loop: loop, limits: limits, handler: handler) { onAccept throws(SystemError) in
            try loop.listenUnix(path: unixPath, backlog: 128, onAccept: onAccept)
        }
    }

    private init(loop: EventLoop, limits: HTTPLimits, handler: @escaping Handler,
                 listen: (@escaping (TCPConnection) -> Void) throws(SystemError) -> TCPListener) throws(SystemError) {
        self.loop = loop
        self.limits = limits
        self.handler = handler
        listener = try listen { [weak self] connection in self?.accepted(connection) }
    }

    /// Stops listening and closes every connection.
    public func close() {
        listener.close()
        for connection in connections.values { connection.close() }
        connections.removeAll()
    }

    private func accepted(_ tcp: TCPConnection) {
        // Event streams have their own cap, so they do not use up request connections.
        guard connections.count - openEventStreams < limits.maxConnections else {
            counters.connectionsRefused += 1
            tcp.close()
            return
        }
        counters.connectionsAccepted += 1
        let connection = HTTPServerConnection(loop: loop, tcp: tcp, limits: limits, handler: handler)
        let id = ObjectIdentifier(connection)
        connection.onResponse = { [weak self] code in self?.counters.responses[code, default: 0] += 1 }
        connection.admitStream = { [weak self] in
            guard let self else { return false }
            guard self.openEventStreams < self.limits.maxEventStreams else {
                self.counters.eventStreamsRefused += 1
                return false
            }
            self.openEventStreams += 1
            self.counters.eventStreamsOpened += 1
            return true
        }
        connection.onStreamEnd = { [weak self] in self?.openEventStreams -= 1 }
        connection.onEnd = { [weak self] timedOut in
            if timedOut { self?.counters.connectionsTimedOut += 1 }
            self?.connections[id] = nil
        }
        connections[id] = connection
        connection.start()
    }
}
