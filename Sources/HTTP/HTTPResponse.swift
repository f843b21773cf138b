/// A complete response: status, headers (without `Content-Length` and
/// `Connection`, which the server writes) and body bytes.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, contentType: String? = nil, headers: [(String, String)] = [],
                body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        if let contentType { self.headers.insert(("Content-Type", contentType), at: 0) }
        self.body = body
    }

    public init(status: HTTPStatus = .ok, contentType: String, text: String) {
        self.init(status: status, contentType: contentType, body: Array(text.utf8))
    }

    /// A redirect to `location` (dskit answers `deleteMessages` with 302).
    public static func redirect(to location: String, status: HTTPStatus = .found) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Location", location)])
    }

    /// Status line and headers of an event stream: no length, `Cache-Control:
    /// no-cache` and `Connection: close` (the body ends when the connection does).
    func serializedStreamHead() -> [UInt8] {
        var head = self
        head.body = []
        head.headers.append(("Cache-Control", "no-cache"))
        return head.serialized(close: true, includeBody: false, length: false)
    }

    /// Status line, headers and body as sent, with `Content-Length` and, when
    /// `close`, `Connection: close`. A HEAD answer carries no body; a stream head no length.
    func serialized(close: Bool, includeBody: Bool, length: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 32 + (includeBody ? body.count : 0))
        out.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reason)\r\n".utf8)
        for (name, value) in headers {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            // A header value never carries CR or LF (response splitting).
            for byte in value.utf8 where byte != 0x0D && byte != 0x0A { out.append(byte) }
            out.append(contentsOf: "\r\n".utf8)
        }
        if length { out.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8) }
        if close { out.append(contentsOf: "Connection: close\r\n".utf8) }
        out.append(contentsOf: "\r\n".utf8)
        if includeBody { out.append(contentsOf: body) }
        return out
    }
}
