import Glibc
import FuzzSupport
import HTTP

/// The HTTP/1.1 request parser (RFC 9112) as a connection drives it: bytes appended to a
/// buffer, `next(from:)` until it needs more. Byte 0 selects the limits (bits 0-1: the
/// defaults or three small sets, so the fuzzer reaches every bound) and bit 2 feeds the
/// input one byte at a time (with the smallest limits only, where re-scanning is cheap);
/// byte 1 picks a split point. The requests and the error, if any, must be the same
/// whether the bytes arrive whole, in two parts split there, or byte by byte; every
/// request keeps within the limits and carries the body its Content-Length announced.
let limitSets: [HTTPLimits] = [
    HTTPLimits(),
    limits(requestLine: 24, header: 64, count: 3, body: 16),
    limits(requestLine: 200, header: 120, count: 8, body: 300),
    limits(requestLine: 64, header: 1024, count: 40, body: 4096),
]

func limits(requestLine: Int, header: Int, count: Int, body: Int) -> HTTPLimits {
    var limits = HTTPLimits()
    limits.maxRequestLineBytes = requestLine
    limits.maxHeaderBytes = header
    limits.maxHeaderCount = count
    limits.maxBodyBytes = body
    return limits
}

/// A parsed request as comparable values (`HTTPRequest` holds tuples).
struct Parsed: Equatable {
    var method, target, version: String
    var headers: [String]
    var body: [UInt8]

    init(_ request: HTTPRequest) {
        (method, target, version) = (request.method, request.target, request.version)
        headers = request.headers.flatMap { [$0.name, $0.value] }
        body = request.body
    }
}

/// What a connection saw: the requests, then the error that closed it or, without one,
/// the bytes left waiting for more.
struct Outcome: Equatable {
    var requests: [Parsed] = []
    var error: HTTPError?
    var leftover: [UInt8] = []
}

/// Appends `chunk` and takes every complete request, as `HTTPServerConnection` does.
func feed(_ chunk: UnsafeRawBufferPointer, _ parser: inout HTTPRequestParser, _ buffer: inout [UInt8], _ outcome: inout Outcome) {
    guard outcome.error == nil else { return }
    buffer.append(contentsOf: chunk)
    do {
        while let request = try parser.next(from: &buffer) {
            check(request, parser.limits)
            outcome.requests.append(Parsed(request))
        }
        outcome.leftover = buffer
    } catch {
        // The connection answers the error and closes: what is still buffered is dropped.
        precondition(error.response.status == error.status, "error response has another status")
        outcome.error = error
        outcome.leftover = []
    }
}

func check(_ request: HTTPRequest, _ limits: HTTPLimits) {
    precondition(request.target.first == "/" && ["HTTP/1.1", "HTTP/1.0"].contains(request.version), "bad request line accepted")
    precondition(request.headers.count <= limits.maxHeaderCount && request.body.count <= limits.maxBodyBytes, "past a limit")
    precondition(request.body.count == request.header("Content-Length").flatMap { Int($0) } ?? 0, "body is not Content-Length long")
    // The accessors handlers use: any target and body must give an answer.
    _ = (request.path, request.pathSegments, request.queryItems, request.formItems, request.keepAlive)
}

func parse(_ chunks: [UnsafeRawBufferPointer], _ limits: HTTPLimits) -> Outcome {
    var parser = HTTPRequestParser(limits: limits)
    var buffer: [UInt8] = []
    var outcome = Outcome()
    for chunk in chunks { feed(chunk, &parser, &buffer, &outcome) }
    return outcome
}

func fuzzHTTPRequest(_ data: UnsafeRawBufferPointer) {
    guard data.count >= 2 else { return }
    let selector = data[0]
    let limits = limitSets[Int(selector & 3)]
    let bytes = UnsafeRawBufferPointer(rebasing: data[2...])
    let whole = parse([bytes], limits)
    let split = Int(data[1]) * bytes.count / 255
    let halves = parse([UnsafeRawBufferPointer(rebasing: bytes[..<split]), UnsafeRawBufferPointer(rebasing: bytes[split...])], limits)
    precondition(halves == whole, "split at \(split) parses differently: \(halves) vs \(whole)")
    if selector & 4 != 0, selector & 3 == 1 {
        let single = parse((0..<bytes.count).map { UnsafeRawBufferPointer(rebasing: bytes[$0..<($0 + 1)]) }, limits)
        precondition(single == whole, "byte by byte parses differently: \(single) vs \(whole)")
    }
}

exit(FuzzDriver.run(fuzzHTTPRequest))
