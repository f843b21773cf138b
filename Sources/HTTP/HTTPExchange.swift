/// The answer slot of one request: a handler calls `respond` once, at once or
/// later on the loop (a handler may wait for a look-up). The connection reads
/// no further request until then, so pipelined answers keep their order.
public final class HTTPExchange {
    public let request: HTTPRequest
    private var deliver: ((HTTPResponse) -> Void)?

    init(request: HTTPRequest, deliver: @escaping (HTTPResponse) -> Void) {
        self.request = request
        self.deliver = deliver
    }

    /// Sends `response`; later calls are ignored.
    public func respond(_ response: HTTPResponse) {
        guard let deliver else { return }
        self.deliver = nil
        deliver(response)
    }

    /// Whether `respond` was already called (or the connection went away).
    public var isAnswered: Bool { deliver == nil }

    func abandon() { deliver = nil }
}
