import EventLoop
import Glibc
import HTTP
import KV
import Membership
import Node
import Wire

/// The sidecar API (issue 10; openapi/sidecar-v1.yaml): membership, the KV store and rings
/// under `/v1/` for an application in any language, on a loopback listener of its own
/// (`-sidecar.listen-address`). Served by an `HTTPServer` on the node's loop, so every
/// answer reads the node's state directly; watch routes are server-sent event streams with
/// their own cap (`HTTPLimits.maxEventStreams`). Loop thread only.
public final class SidecarServer {
    public let server: HTTPServer
    public var localAddress: SocketAddress { server.localAddress }
    let node: GossipNode
    let rings: SidecarRingLeases
    /// Open `/v1/members/watch` and `/v1/events` streams.
    private var memberStreams: [ObjectIdentifier: HTTPEventStream] = [:]
    private var messageStreams: [ObjectIdentifier: HTTPEventStream] = [:]
    /// Open `/v1/kv/watch` streams with their KV watch.
    var kvStreams: [ObjectIdentifier: (stream: HTTPEventStream, watch: KVWatchers.ID)] = [:]
    private var keepAliveTimer: TimerID?
    /// The Unix socket file to remove on `close`, when serving on one.
    private var unixPath: String?

    /// Largest user broadcast: it must fit one gossip packet beside memberlist's framing.
    public static let maxBroadcastBytes = 1024
    /// Largest KV value: values travel in gossip messages and push/pull frames.
    public static let maxValueBytes = 64 * 1024
    /// A comment on every event stream this often, so a vanished client is noticed.
    static let keepAlivePeriod: Duration = .seconds(15)

    /// The sidecar's limits: small bodies (a ring registration, a KV value), few streams.
    public static var defaultLimits: HTTPLimits {
        var limits = HTTPLimits()
        limits.maxBodyBytes = maxValueBytes + 4096
        limits.maxConnections = 64
        limits.maxEventStreams = 16
        limits.idleTimeout = .seconds(60)
        return limits
    }

    /// Serves on a loopback TCP `address`.
    public convenience init(node: GossipNode, address: SocketAddress,
                            limits: HTTPLimits = SidecarServer.defaultLimits) throws(SystemError) {
        try self.init(node: node) { handler throws(SystemError) in
            try HTTPServer(loop: node.loop, address: address, limits: limits, handler: handler)
        }
    }

    /// Serves on a Unix socket at `unixPath` (`unix:PATH`); `close` removes the file.
    public convenience init(node: GossipNode, unixPath: String,
                            limits: HTTPLimits = SidecarServer.defaultLimits) throws(SystemError) {
        try self.init(node: node) { handler throws(SystemError) in
            try HTTPServer(loop: node.loop, unixPath: unixPath, limits: limits, handler: handler)
        }
        self.unixPath = unixPath
    }

    private init(node: GossipNode,
                 serve: (@escaping HTTPServer.Handler) throws(SystemError) -> HTTPServer) throws(SystemError) {
        self.node = node
        rings = SidecarRingLeases(node: node)
        var handle: ((HTTPExchange) -> Void)?
        server = try serve { exchange in handle?(exchange) }
        handle = { [weak self] exchange in
            guard let self else { return exchange.respond(HTTPError.unavailable("shutting down").response) }
            self.route(exchange)
        }
        scheduleKeepAlive()
    }

    /// Stops listening; registered ring instances leave (LEAVING, then removed) first when
    /// `leaveRings`, and `done` runs once they did.
    public func close(leaveRings: Bool = true, _ done: @escaping () -> Void = {}) {
        if let keepAliveTimer { _ = node.loop.cancel(keepAliveTimer) }
        keepAliveTimer = nil
        server.close()
        if let unixPath { unlink(unixPath) }
        unixPath = nil
        if leaveRings { rings.leaveAll(done) } else { rings.stopAll(); done() }
    }

    /// Forwards the node's events to `/v1/members/watch` and `/v1/events` streams.
    public func handle(_ event: NodeEvent) {
        switch event {
        case .membership(let change):
            let name: String
            let member: Member
            switch change {
            case .joined(let m): (name, member) = ("joined", m)
            case .updated(let m): (name, member) = ("updated", m)
            case .suspected(let m): (name, member) = ("suspected", m)
            case .failed(let m): (name, member) = ("failed", m)
            case .left(let m): (name, member) = ("left", m)
            case .conflict: return
            }
            guard !memberStreams.isEmpty else { return }
            var json = JSONWriter()
            SidecarJSON.member(member, into: &json)
            for stream in memberStreams.values { stream.send(event: name, data: json.text) }
        case .userMessage(let payload):
            guard !messageStreams.isEmpty else { return }
            let data = SidecarJSON.response { json in
                json.beginObject()
                json.field("payload", Base64.encode(payload))
                json.field("size", payload.count)
                json.endObject()
            }.body
            let text = String(decoding: data, as: UTF8.self)
            for stream in messageStreams.values { stream.send(event: "message", data: text) }
        }
    }

    // MARK: routing

    private func route(_ exchange: HTTPExchange) {
        let request = exchange.request
        let segments = request.pathSegments
        guard segments.count >= 2, segments[0] == "v1" else {
            return exchange.respond(HTTPError.notFound("no route for \(request.path); the API is under /v1/").response)
        }
        let rest = Array(segments.dropFirst(2))
        switch segments[1] {
        case "members": members(exchange, rest)
        case "kv": kv(exchange, rest)
        case "ring": rings.route(exchange, rest)
        case "broadcast" where rest.isEmpty: broadcast(exchange)
        case "events" where rest.isEmpty:
            guard Self.allow(exchange, ["GET"]) else { return }
            openStream(exchange) { [weak self] id, stream in self?.messageStreams[id] = stream } closed: { [weak self] id in
                self?.messageStreams[id] = nil
            }
        default:
            exchange.respond(HTTPError.notFound("no route for \(request.path)").response)
        }
    }

    /// False (and 405 sent) unless the method is one of `methods` (HEAD counts as GET).
    static func allow(_ exchange: HTTPExchange, _ methods: [String]) -> Bool {
        let method = exchange.request.method == "HEAD" ? "GET" : exchange.request.method
        if methods.contains(method) { return true }
        exchange.respond(HTTPError.methodNotAllowed(allowed: methods).response)
        return false
    }

    /// Opens an event stream, registers it and unregisters it when it ends.
    func openStream(_ exchange: HTTPExchange, opened: (ObjectIdentifier, HTTPEventStream) -> Void,
                    closed: @escaping (ObjectIdentifier) -> Void) {
        guard let stream = exchange.startEventStream() else { return }
        let id = ObjectIdentifier(stream)
        stream.onClose = { closed(id) }
        opened(id, stream)
        stream.comment("stream open")
    }

    private func scheduleKeepAlive() {
        keepAliveTimer = node.loop.schedule(after: Self.keepAlivePeriod) { [weak self] _ in
            guard let self else { return }
            for stream in self.memberStreams.values { stream.comment("keep-alive") }
            for stream in self.messageStreams.values { stream.comment("keep-alive") }
            self.kvKeepAlive()
            self.scheduleKeepAlive()
        }
    }

    // MARK: members

    private func members(_ exchange: HTTPExchange, _ rest: [String]) {
        guard Self.allow(exchange, ["GET"]) else { return }
        switch rest {
        case []:
            exchange.respond(SidecarJSON.response { json in
                json.beginArray()
                for member in node.members { SidecarJSON.member(member, into: &json) }
                json.endArray()
            })
        case ["watch"]:
            openStream(exchange) { [weak self] id, stream in self?.memberStreams[id] = stream } closed: { [weak self] id in
                self?.memberStreams[id] = nil
            }
        default:
            exchange.respond(HTTPError.notFound("no route for \(exchange.request.path)").response)
        }
    }

    // MARK: user messages

    /// `POST /v1/broadcast`: the body is the message; with `?encoding=base64`, the body is
    /// its base64 text.
    private func broadcast(_ exchange: HTTPExchange) {
        guard Self.allow(exchange, ["POST"]) else { return }
        let request = exchange.request
        var payload = request.body
        switch request.query("encoding") {
        case nil, "raw":
            break
        case "base64":
            let text = String(decoding: payload.filter { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }, as: UTF8.self)
            guard let decoded = Base64.decode(text) else {
                return exchange.respond(HTTPError.badRequest("the body is not padded standard base64").response)
            }
            payload = decoded
        case let other?:
            return exchange.respond(HTTPError.badRequest("encoding must be raw or base64, not \"\(other)\"").response)
        }
        guard !payload.isEmpty else { return exchange.respond(HTTPError.badRequest("empty message").response) }
        guard payload.count <= Self.maxBroadcastBytes else {
            return exchange.respond(HTTPError.payloadTooLarge(limit: Self.maxBroadcastBytes).response)
        }
        node.broadcast(payload)
        exchange.respond(SidecarJSON.response(.accepted) { json in
            json.beginObject()
            json.field("size", payload.count)
            json.endObject()
        })
    }
}
