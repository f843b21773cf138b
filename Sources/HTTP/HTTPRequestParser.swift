/// Incremental HTTP/1.1 request parser (RFC 9112) over a connection's input
/// buffer, with every size bounded by `HTTPLimits`. Only `Content-Length`
/// bodies are accepted: a `Transfer-Encoding` is refused with 411. Public so the
/// fuzz package (Fuzz/Sources/FuzzHTTPRequest) drives it as a connection does.
public struct HTTPRequestParser {
    public let limits: HTTPLimits
    /// The head of a request whose body is still arriving, so it is parsed once.
    private var pendingHead: (request: HTTPRequest, headLength: Int, bodyLength: Int)?

    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// True when part of a request is buffered (its timeout is running).
    public var isMidRequest: Bool { pendingHead != nil }

    /// The next complete request at the front of `buffer`, removed from it;
    /// nil when more bytes are needed.
    public mutating func next(from buffer: inout [UInt8]) throws(HTTPError) -> HTTPRequest? {
        if pendingHead == nil {
            // RFC 9112 2.2: ignore empty lines before a request line.
            var skip = 0
            while skip + 1 < buffer.count, buffer[skip] == 0x0D, buffer[skip + 1] == 0x0A { skip += 2 }
            if skip > 0 { buffer.removeFirst(skip) }
            guard let head = try parseHead(buffer) else { return nil }
            pendingHead = head
        }
        guard let head = pendingHead, buffer.count >= head.headLength + head.bodyLength else { return nil }
        pendingHead = nil
        var request = head.request
        request.body = Array(buffer[head.headLength..<(head.headLength + head.bodyLength)])
        buffer.removeFirst(head.headLength + head.bodyLength)
        return request
    }

    private func parseHead(_ buffer: [UInt8]) throws(HTTPError) -> (HTTPRequest, Int, Int)? {
        let searchLimit = min(buffer.count, limits.maxHeaderBytes)
        guard let lineEnd = Self.find(crlf: false, in: buffer, upTo: min(buffer.count, limits.maxRequestLineBytes + 2)) else {
            // Too long only once the whole window a CRLF may end in has arrived: a line of
            // exactly the limit whose CR came without its LF yet is still waiting, so the
            // answer does not depend on how the bytes were split (FuzzHTTPRequest).
            if buffer.count >= limits.maxRequestLineBytes + 2 { throw .uriTooLong(limit: limits.maxRequestLineBytes) }
            return nil
        }
        guard let headEnd = Self.find(crlf: true, in: buffer, upTo: searchLimit) else {
            if buffer.count >= limits.maxHeaderBytes {
                throw .headersTooLarge("header section larger than \(limits.maxHeaderBytes) bytes")
            }
            return nil
        }
        var request = try Self.requestLine(buffer[0..<lineEnd])
        var start = lineEnd + 2
        var contentLength: Int?
        while start < headEnd {
            let end = Self.find(crlf: false, in: buffer, from: start, upTo: headEnd + 2) ?? headEnd
            guard request.headers.count < limits.maxHeaderCount else {
                throw .headersTooLarge("more than \(limits.maxHeaderCount) header fields")
            }
            let field = try Self.headerField(buffer[start..<end])
            request.headers.append(field)
            let name = field.name.lowercased()
            if name == "transfer-encoding" { throw .lengthRequired }
            if name == "content-length" {
                guard !field.value.isEmpty, field.value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                      let length = Int(field.value) else {
                    throw .badRequest("invalid Content-Length \"\(field.value)\"")
                }
                if let contentLength, contentLength != length {
                    throw .badRequest("conflicting Content-Length headers")
                }
                contentLength = length
            }
            start = end + 2
        }
        let length = contentLength ?? 0
        if length > limits.maxBodyBytes { throw .payloadTooLarge(limit: limits.maxBodyBytes) }
        return (request, headEnd + 4, length)
    }

    private static func requestLine(_ line: ArraySlice<UInt8>) throws(HTTPError) -> HTTPRequest {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .badRequest("request line is not \"METHOD target HTTP/1.1\"") }
        guard !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte) else { throw .badRequest("invalid method") }
        guard parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badRequest("request target must be an absolute path")
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw .badRequest("unsupported protocol version \"\(version)\"")
        }
        return HTTPRequest(method: String(decoding: parts[0], as: UTF8.self),
                           target: String(decoding: parts[1], as: UTF8.self), version: version)
    }

    private static func headerField(_ line: ArraySlice<UInt8>) throws(HTTPError) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw .badRequest(line.first == 0x20 || line.first == 0x09
                              ? "obsolete header line folding" : "header line without a colon")
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw .badRequest("invalid header name") }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw .badRequest("control character in header value")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// RFC 9110 5.6.2 tchar.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// The index of the first CRLF (or CRLFCRLF when `crlf`) that ends before
    /// `limit`; a bare LF inside the head is malformed and never matches.
    private static func find(crlf double: Bool, in buffer: [UInt8], from start: Int = 0, upTo limit: Int) -> Int? {
        let width = double ? 4 : 2
        var index = start
        while index + width <= limit {
            if buffer[index] == 0x0D, buffer[index + 1] == 0x0A,
               !double || (buffer[index + 2] == 0x0D && buffer[index + 3] == 0x0A) {
                return index
            }
            index += 1
        }
        return nil
    }
}
