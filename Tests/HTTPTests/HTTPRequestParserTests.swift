import Testing
import HTTP

/// The request parser on its own, fed as a socket delivers bytes: the answer must not
/// depend on where the input was split (FuzzHTTPRequest's property).
@Suite struct HTTPRequestParserTests {
    static func limits(requestLine: Int) -> HTTPLimits {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = requestLine
        limits.maxHeaderBytes = 64
        return limits
    }

    /// Feeds `chunks` in order; the requests' targets, or the error that ended parsing.
    static func parse(_ chunks: [[UInt8]], limits: HTTPLimits) -> Result<[String], HTTPError> {
        var parser = HTTPRequestParser(limits: limits)
        var buffer: [UInt8] = []
        var targets: [String] = []
        for chunk in chunks {
            buffer += chunk
            do {
                while let request = try parser.next(from: &buffer) { targets.append(request.target) }
            } catch {
                return .failure(error)
            }
        }
        return .success(targets)
    }

    /// A request line exactly at the limit whose CR arrives before its LF waits for the
    /// LF instead of being refused as too long (found by FuzzHTTPRequest, saved under
    /// Fuzz/regressions/FuzzHTTPRequest/request-line-at-limit-cr-before-lf).
    @Test func requestLineAtTheLimitSplitBetweenCRAndLF() {
        let limits = Self.limits(requestLine: 24)
        let line = Array("GET /aaaaaaaaaa HTTP/1.1\r\n\r\n".utf8)
        #expect(line.firstIndex(of: 0x0D) == 24)
        #expect(Self.parse([line], limits: limits) == .success(["/aaaaaaaaaa"]))
        #expect(Self.parse([Array(line[..<25]), Array(line[25...])], limits: limits) == .success(["/aaaaaaaaaa"]))
        #expect(Self.parse(line.map { [$0] }, limits: limits) == .success(["/aaaaaaaaaa"]))

        // The fuzzer's input: the line's end has arrived, the header section has not, so
        // the parser waits however the bytes came (it answered 414 byte by byte).
        let found: [UInt8] = Array("POST /x HTTP/1.".utf8) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0] + Array("1\r\n".utf8)
        #expect(Self.parse([found], limits: limits) == .success([]))
        #expect(Self.parse(found.map { [$0] }, limits: limits) == .success([]))
        #expect(Self.parse(found.map { [$0] } + [Array("\r\n".utf8)], limits: limits)
            == .failure(.badRequest("unsupported protocol version \"HTTP/1.\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\0\0\01\"")))
    }

    /// One byte past the limit with no CRLF is refused once the CRLF can no longer fit.
    @Test func requestLineOverTheLimitIsRefused() {
        let limits = Self.limits(requestLine: 24)
        let line = Array("GET /aaaaaaaaaaa HTTP/1.1\r\n\r\n".utf8)
        #expect(Self.parse([line], limits: limits) == .failure(.uriTooLong(limit: 24)))
        #expect(Self.parse(line.map { [$0] }, limits: limits) == .failure(.uriTooLong(limit: 24)))
    }
}
