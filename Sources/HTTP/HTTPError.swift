/// Why a request was refused, before or instead of reaching a handler. Each
/// case has its status code and is answered with a JSON body
/// `{"error": ..., "detail": ...}` (issue 10, "Limits and errors").
public enum HTTPError: Error, Equatable, Sendable {
    /// Malformed request line, header or framing (400).
    case badRequest(String)
    /// No route for the path (404).
    case notFound(String)
    /// The route exists but not for this method (405); `allowed` fills `Allow`.
    case methodNotAllowed(allowed: [String])
    /// A body without `Content-Length` (chunked uploads are refused) (411).
    case lengthRequired
    /// The body is longer than the server's limit (413).
    case payloadTooLarge(limit: Int)
    /// The request line is longer than the limit (414).
    case uriTooLong(limit: Int)
    /// The header section is larger, or has more fields, than the limits (431).
    case headersTooLarge(String)
    /// The client took too long to send its request (408).
    case requestTimeout
    /// The request conflicts with what is stored, e.g. a key of another codec (409).
    case conflict(String)
    /// An `If-Match` precondition did not hold (412).
    case preconditionFailed(String)
    /// The request cannot be served now, e.g. the event-stream cap is reached (503).
    case unavailable(String)

    public var status: HTTPStatus {
        switch self {
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .lengthRequired: .lengthRequired
        case .payloadTooLarge: .payloadTooLarge
        case .uriTooLong: .uriTooLong
        case .headersTooLarge: .headersTooLarge
        case .requestTimeout: .requestTimeout
        case .conflict: .conflict
        case .preconditionFailed: .preconditionFailed
        case .unavailable: .serviceUnavailable
        }
    }

    /// The short machine-readable name in the body's `error` field.
    public var name: String {
        switch self {
        case .badRequest: "bad_request"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .lengthRequired: "length_required"
        case .payloadTooLarge: "payload_too_large"
        case .uriTooLong: "uri_too_long"
        case .headersTooLarge: "headers_too_large"
        case .requestTimeout: "request_timeout"
        case .conflict: "conflict"
        case .preconditionFailed: "precondition_failed"
        case .unavailable: "unavailable"
        }
    }

    /// What a person reads in the body's `detail` field.
    public var detail: String {
        switch self {
        case .badRequest(let detail), .notFound(let detail), .headersTooLarge(let detail),
             .conflict(let detail), .preconditionFailed(let detail), .unavailable(let detail): detail
        case .methodNotAllowed(let allowed): "allowed methods: " + allowed.joined(separator: ", ")
        case .lengthRequired: "a request body needs Content-Length; chunked transfer encoding is not accepted"
        case .payloadTooLarge(let limit): "request body larger than \(limit) bytes"
        case .uriTooLong(let limit): "request line longer than \(limit) bytes"
        case .requestTimeout: "request not received in time"
        }
    }

    /// The JSON error response; parse errors also close the connection.
    public var response: HTTPResponse {
        var json = JSONWriter()
        json.beginObject()
        json.field("error", name)
        json.field("detail", detail)
        json.endObject()
        var response = HTTPResponse(status: status, contentType: "application/json", body: json.bytes)
        if case .methodNotAllowed(let allowed) = self {
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
        }
        return response
    }
}
