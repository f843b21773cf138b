/// The answer slot of one request: a handler calls `respond` once, at once or
/// later on the loop (a handler may wait for a look-up). The connection reads
/// no further request until then, so pipelined answers keep their order.
public final class HTTPExchange {
    public let request: HTTPRequest
    private var deliver: ((HTTPResponse) -> Void)?
    private var openStream: ((HTTPResponse) -> HTTPEventStream?)?

    init(request: HTTPRequest, deliver: @escaping (HTTPResponse) -> Void,
         openStream: @escaping (HTTPResponse) -> HTTPEventStream?) {
        self.request = request
        self.deliver = deliver
        self.openStream = openStream
    }

    /// Answers with `head` (status and headers; its body is ignored) and keeps
    /// the connection as an event stream. Nil when the server's event-stream
    /// cap (`HTTPLimits.maxEventStreams`) is reached: the exchange was then
    /// answered 503 with the JSON error body.
    public func startEventStream(_ head: HTTPResponse = HTTPResponse(contentType: "text/event-stream")) -> HTTPEventStream? {
        guard let openStream else { return nil }
        self.openStream = nil
        deliver = nil
        return openStream(head)
    }

    /// Sends `response`; later calls are ignored.
    public func respond(_ response: HTTPResponse) {
        guard let deliver else { return }
        self.deliver = nil
        openStream = nil
        deliver(response)
    }

    /// Whether `respond` was already called (or the connection went away).
    public var isAnswered: Bool { deliver == nil }

    func abandon() {
        deliver = nil
        openStream = nil
    }
}
