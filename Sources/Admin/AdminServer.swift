import EventLoop
import HTTP
import Node

/// The admin listener (`-server.http-listen-address`/`-port`): `/metrics`,
/// `/ready`, `/memberlist` and `/ring` (dskit-kv-ring.md 6, 7) served by an
/// `HTTPServer` on the node's loop. Every answer is built on the loop from
/// the source's current state; a scrape reuses one output buffer.
public final class AdminServer {
    public let server: HTTPServer
    public var localAddress: SocketAddress { server.localAddress }
    private let source: AdminSource
    private var metricsWriter: PrometheusTextWriter

    public init(loop: EventLoop, address: SocketAddress, source: AdminSource, metricsPrefix: String,
                limits: HTTPLimits = HTTPLimits()) throws(SystemError) {
        self.source = source
        metricsWriter = PrometheusTextWriter(prefix: metricsPrefix)
        var handle: ((HTTPExchange) -> Void)?
        server = try HTTPServer(loop: loop, address: address, limits: limits) { exchange in handle?(exchange) }
        handle = { [weak self] exchange in
            exchange.respond(self?.respond(to: exchange.request) ?? HTTPError.notFound("shutting down").response)
        }
    }

    public func close() { server.close() }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        let isRead = request.method == "GET" || request.method == "HEAD"
        switch request.path {
        case "/metrics":
            guard isRead else { return HTTPError.methodNotAllowed(allowed: ["GET", "HEAD"]).response }
            return metrics()
        case "/ready":
            guard isRead else { return HTTPError.methodNotAllowed(allowed: ["GET", "HEAD"]).response }
            return source.isReady
                ? HTTPResponse(contentType: "text/plain; charset=utf-8", text: "ready\n")
                : HTTPResponse(status: .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                               text: "not ready: joining the cluster\n")
        case "/memberlist":
            guard isRead else { return HTTPError.methodNotAllowed(allowed: ["GET", "HEAD"]).response }
            return memberlist(request)
        case "/ring":
            if request.method == "POST" { return forget(request) }
            guard isRead else { return HTTPError.methodNotAllowed(allowed: ["GET", "HEAD", "POST"]).response }
            let rings = source.rings()
            let now = WallClock.nowMillis()
            if wantsJSON(request) {
                return HTTPResponse(contentType: "application/json",
                                    body: RingPage.json(rings, nowMillis: now, pretty: request.query("format") == "json-pretty"))
            }
            return HTTPResponse(contentType: "text/html; charset=utf-8", text: RingPage.html(rings, nowMillis: now))
        case "/":
            return HTTPResponse(contentType: "text/html; charset=utf-8", text: HTMLText.page(title: "memberlistd", body:
                "<h1>memberlistd</h1><ul><li><a href=\"memberlist\">memberlist</a></li><li><a href=\"ring\">ring</a></li>"
                + "<li><a href=\"metrics\">metrics</a></li><li><a href=\"ready\">ready</a></li></ul>"))
        default:
            return HTTPError.notFound("no page at \(request.path)").response
        }
    }

    private func metrics() -> HTTPResponse {
        var snapshot = source.metrics()
        snapshot.http = server.counters
        metricsWriter.reset()
        snapshot.write(into: &metricsWriter)
        RingMetrics.write(source.rings(), nowMillis: WallClock.nowMillis(), into: &metricsWriter)
        return HTTPResponse(contentType: PrometheusTextWriter.contentType, body: metricsWriter.bytes)
    }

    private func wantsJSON(_ request: HTTPRequest) -> Bool {
        let format = request.query("format")
        return format == "json" || format == "json-pretty" || (request.header("Accept") ?? "").contains("application/json")
    }

    /// dskit's query parameters: `viewKey`, `downloadKey`, `viewMsg` (with
    /// `format`), `deleteMessages`; else the page or its JSON model.
    private func memberlist(_ request: HTTPRequest) -> HTTPResponse {
        let pretty = request.query("format") == "json-pretty"
        if request.query("deleteMessages") == "true" {
            source.deleteMessages()
            return .redirect(to: "?deleteMessages=false")
        }
        let model = source.pageModel()
        if let key = request.query("viewKey") {
            guard let entry = model.kvEntries.first(where: { $0.key == key }) else {
                return HTTPError.notFound("no key \"\(key)\" in the KV store").response
            }
            return HTTPResponse(contentType: "application/json",
                                body: KVValueText.json(codec: entry.codec, encoded: entry.encoded, pretty: pretty))
        }
        if let key = request.query("downloadKey") {
            guard let entry = model.kvEntries.first(where: { $0.key == key }) else {
                return HTTPError.notFound("no key \"\(key)\" in the KV store").response
            }
            let filename = "\(entry.version)-\(key)".map { $0 == "\"" || $0 == "/" ? "_" : $0 }
            return HTTPResponse(contentType: "application/octet-stream",
                                headers: [("Content-Disposition", "attachment; filename=\"\(String(filename))\"")],
                                body: entry.encoded)
        }
        if let text = request.query("viewMsg") {
            guard let id = UInt64(text) else { return HTTPError.badRequest("invalid message id \"\(text)\"").response }
            guard let message = model.message(id: id) else {
                return HTTPError.notFound("no message \(id) in the history").response
            }
            return HTTPResponse(contentType: "application/json",
                                body: KVValueText.json(codec: message.codec, encoded: message.encoded, pretty: pretty))
        }
        if wantsJSON(request) {
            return HTTPResponse(contentType: "application/json", body: MemberlistPage.json(model, pretty: pretty))
        }
        return HTTPResponse(contentType: "text/html; charset=utf-8", text: MemberlistPage.html(model))
    }

    /// The ring page's "Forget" form: `forget=<id>` (and `ring=<name>` when
    /// several rings are shown); answered with a redirect back to the page.
    private func forget(_ request: HTTPRequest) -> HTTPResponse {
        let form = request.formItems
        guard let id = form.first(where: { $0.name == "forget" })?.value, !id.isEmpty else {
            return HTTPError.badRequest("missing forget=<instance id>").response
        }
        let rings = source.rings()
        let ring = form.first(where: { $0.name == "ring" })?.value ?? rings.first?.name ?? ""
        guard source.forget(ring: ring, instance: id) else {
            return HTTPError.notFound("no instance \"\(id)\" in ring \"\(ring)\"").response
        }
        return .redirect(to: "ring", status: .seeOther)
    }
}
