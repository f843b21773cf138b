import Glibc
import NetworkTestSupport
import Testing
@testable import HTTP

/// The HTTP server over real loopback sockets: well-formed, pipelined,
/// malformed, oversized and slow clients (issue 9 item 5, issue 10 item 2).
@Suite(.serialized) struct HTTPServerTests {
    static func limits() -> HTTPLimits {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 1024
        limits.maxConnections = 4
        limits.requestTimeout = .milliseconds(400)
        limits.idleTimeout = .seconds(5)
        return limits
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.port)
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = client.readResponses(1)
        client.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        let second = client.readResponses(1)
        #expect(first.responses.map(\.body) == ["GET /a 0"])
        #expect(second.responses.map(\.body) == ["POST /b 5"])
        #expect(second.responses.first?.headers["connection"] == nil)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.port)
        // The first answer is delayed (asynchronous handler); order must hold anyway.
        client.send("GET /slow HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\n\r\nPUT /three HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /four HTTP/1.1\r\nConnection: close\r\n\r\n")
        let result = client.readResponses(4)
        #expect(result.responses.map(\.body) == ["GET /slow 0", "GET /two 0", "PUT /three 3", "GET /four 0"])
        #expect(result.responses.last?.headers["connection"] == "close")
        #expect(client.waitForClose())
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400, "bad_request"),
        ("GET /x HTTP/2.0\r\n\r\n", 400, "bad_request"),
        ("GET x HTTP/1.1\r\n\r\n", 400, "bad_request"),
        ("GET /x HTTP/1.1\r\nBad Header: 1\r\n\r\n", 400, "bad_request"),
        ("GET /x HTTP/1.1\r\nno-colon\r\n\r\n", 400, "bad_request"),
        ("GET /x HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400, "bad_request"),
        ("GET /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "bad_request"),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, "length_required"),
        ("POST /x HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", 413, "payload_too_large"),
    ])
    func malformedRequestsGetTheirStatusAndAJSONErrorThenClose(request: String, code: Int, name: String) async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.port)
        client.send(request)
        let result = client.readResponses(1)
        let response = try #require(result.responses.first)
        #expect(response.code == code)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.body.hasPrefix("{\"error\":\"\(name)\",\"detail\":\""))
        #expect(response.headers["connection"] == "close")
        #expect(client.waitForClose())
    }

    @Test func oversizedRequestLineIs414AndOversizedHeadersAre431() async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        let long = try HTTPTestClient(port: server.port)
        long.send("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n\r\n")
        #expect(long.readResponses(1).responses.first?.code == 414)

        let big = try HTTPTestClient(port: server.port)
        big.send("GET / HTTP/1.1\r\n" + String(repeating: "X-Filler: " + String(repeating: "b", count: 200) + "\r\n", count: 100))
        #expect(big.readResponses(1).responses.first?.code == 431)

        let many = try HTTPTestClient(port: server.port)
        many.send("GET / HTTP/1.1\r\n" + (0..<101).map { "X-\($0): 1\r\n" }.joined() + "\r\n")
        let manyResponse = many.readResponses(1).responses.first
        #expect(manyResponse?.code == 431)
        #expect(manyResponse?.body.contains("more than 100 header fields") == true)
    }

    @Test func aSlowClientIsCutOffWhileOthersAreServed() async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        let slow = try HTTPTestClient(port: server.port)
        slow.send("GET /slowloris HTTP/1.1\r\nX-A: ")
        // Another client is answered at once while the slow one holds its connection.
        let other = try HTTPTestClient(port: server.port)
        other.send("GET /other HTTP/1.1\r\n\r\n")
        #expect(other.readResponses(1).responses.first?.body == "GET /other 0")
        // One byte now and then does not extend the request deadline (400 ms from the first byte).
        let started = ContinuousClock.now
        slow.send("1")
        #expect(slow.waitForClose())
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func connectionsBeyondTheCapAreClosed() async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        var open: [HTTPTestClient] = []
        for index in 0..<4 {
            let client = try HTTPTestClient(port: server.port)
            client.send("GET /\(index) HTTP/1.1\r\n\r\n")
            #expect(client.readResponses(1).responses.first?.body == "GET /\(index) 0")
            open.append(client)
        }
        let refused = try HTTPTestClient(port: server.port)
        refused.send("GET /extra HTTP/1.1\r\n\r\n")
        let result = refused.readResponses(1)
        #expect(result.responses.isEmpty)
        #expect(result.closed)
        open.removeAll()
    }

    @Test func aFloodOfPipelinedRequestsThatIsNeverReadDoesNotStallOthers() async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        let flood = try HTTPTestClient(port: server.port)
        let one = Array("GET /flood HTTP/1.1\r\nX-Pad: \(String(repeating: "p", count: 200))\r\n\r\n".utf8)
        var batch: [UInt8] = []
        for _ in 0..<2000 { batch.append(contentsOf: one) }
        // Sent without blocking: whatever the kernel buffers take, while the flood never reads.
        var offset = 0
        while offset < batch.count {
            let sent = batch[offset...].withUnsafeBytes {
                Glibc.send(flood.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if sent <= 0 { break }
            offset += sent
        }
        #expect(offset > 64 * 1024)
        // Answered while the flood's backlog is still unread: a loop stalled on the flood
        // (blocked on its writes, or parsing all of it first) would leave this read empty
        // at its receive timeout. No time bound beyond that: a slow machine is not a stall.
        let other = try HTTPTestClient(port: server.port)
        other.send("GET /other HTTP/1.1\r\n\r\n")
        #expect(other.readResponses(1).responses.first?.body == "GET /other 0")
        // The flood's answers are all there when it finally reads.
        let answered = flood.readResponses(10)
        #expect(answered.responses.count == 10)
    }

    @Test func eventStreamsHaveTheirOwnCapAndDoNotUseUpConnections() async throws {
        var limits = Self.limits()
        limits.maxEventStreams = 2
        let server = try await TestServer(limits: limits)
        defer { server.stop() }
        func readStream(_ client: HTTPTestClient) -> String {
            var text = ""
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !text.hasSuffix("\n\n") || !text.contains("event:") {
                let count = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                text += String(decoding: chunk[0..<count], as: UTF8.self)
            }
            return text
        }
        let streams = try (0..<2).map { _ in try HTTPTestClient(port: server.port) }
        for stream in streams {
            stream.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let text = readStream(stream)
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.contains("Content-Type: text/event-stream\r\n") && !text.contains("Content-Length"))
            #expect(text.hasSuffix("\r\n\r\nevent: hello\ndata: line one\ndata: line two\n\n"), "\(text)")
        }
        let refused = try HTTPTestClient(port: server.port)
        refused.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = refused.readResponses(1).responses.first
        #expect(answer?.code == 503 && answer?.body.contains("\"error\":\"unavailable\"") == true)
        // The refused client's connection and two more are served beside the two streams,
        // five connections under a cap of four: streams do not count against it.
        let others = try (0..<2).map { _ in try HTTPTestClient(port: server.port) }
        for (index, client) in others.enumerated() {
            client.send("GET /n\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(client.readResponses(1).responses.map(\.body) == ["GET /n\(index) 0"])
        }
        // A stream whose client leaves frees its slot.
        shutdown(streams[0].fd, Int32(SHUT_WR))
        #expect(streams[0].waitForClose())
        // The loop ended the stream in the step that closed it, before it accepts again.
        let again = try HTTPTestClient(port: server.port)
        again.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(readStream(again).contains("event: hello"))
    }

    @Test func aRequestPipelinedAfterAStreamIsNotAnswered() async throws {
        let server = try await TestServer(limits: Self.limits())
        defer { server.stop() }
        let client = try HTTPTestClient(port: server.port)
        client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        // The client leaves; the server ends the stream and closes: all it sent is read.
        shutdown(client.fd, Int32(SHUT_WR))
        var text = ""
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            text += String(decoding: chunk[0..<count], as: UTF8.self)
        }
        #expect(text.contains("event: hello\n"))
        #expect(!text.contains("GET /after"), "\(text)")
        #expect(text.ranges(of: "HTTP/1.1 ").count == 1, "one response head only: \(text)")
    }
}
