import Glibc

/// A blocking loopback HTTP/1.1 client with a receive timeout, so tests read
/// what a server really sent on a real socket (HTTP server and admin tests).
public final class HTTPTestClient {
    public let fd: Int32

    public init(port: UInt16, receiveTimeoutMillis: Int = 3000) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket failed") }
        var timeout = timeval(tv_sec: receiveTimeoutMillis / 1000, tv_usec: (receiveTimeoutMillis % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else { throw TestError("connect failed: errno \(errno)") }
    }

    deinit { Glibc.close(fd) }

    public func send(_ text: String) { send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Reads until `count` responses are complete, the peer closes, or the timeout passes.
    public func readResponses(_ count: Int) -> (responses: [ParsedResponse], closed: Bool) {
        var buffer: [UInt8] = []
        var responses: [ParsedResponse] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while responses.count < count {
            if let (response, used) = ParsedResponse.parse(buffer) {
                responses.append(response)
                buffer.removeFirst(used)
                continue
            }
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received <= 0 { return (responses, received == 0 || errno == ECONNRESET) }
            buffer.append(contentsOf: chunk[0..<received])
        }
        return (responses, false)
    }

    /// True when the server closed the connection (EOF or reset) within the receive timeout.
    public func waitForClose() -> Bool {
        var byte: UInt8 = 0
        while true {
            let received = recv(fd, &byte, 1, 0)
            if received == 0 { return true }
            if received < 0 { return errno == ECONNRESET }
        }
    }
}

public struct ParsedResponse: Sendable {
    public var code: Int
    public var headers: [String: String]
    public var body: String

    static func parse(_ bytes: [UInt8]) -> (ParsedResponse, Int)? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == marker })
        else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = head.split(separator: "\r\n").map(String.init)
        let status = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = parts.count > 1 ? String(parts[1].drop { $0 == " " }) : ""
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        let body = String(decoding: bytes[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        return (ParsedResponse(code: Int(status[1]) ?? 0, headers: headers, body: body), end + 4 + length)
    }
}

public struct TestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension HTTPTestClient {
    /// One `GET` on a fresh connection, closed after the answer.
    public static func get(port: UInt16, _ target: String, headers: String = "") throws -> ParsedResponse {
        let client = try HTTPTestClient(port: port)
        client.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(headers)Connection: close\r\n\r\n")
        guard let response = client.readResponses(1).responses.first else { throw TestError("no answer to GET \(target)") }
        return response
    }
}
