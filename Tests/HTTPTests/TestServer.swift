import EventLoop
import Glibc
import NetworkTestSupport
@testable import HTTP

/// An `HTTPServer` on its own loop thread, echoing the method, path and body
/// length; `/slow` answers only after 200 ms (an asynchronous handler);
/// `/stream` opens an event stream and sends one `hello` event.
final class TestServer: Sendable {
    let handle: EventLoopHandle
    let port: UInt16

    init(limits: HTTPLimits) async throws {
        handle = try EventLoop.startThread(name: "http-test")
        let handle = self.handle
        port = try await withCheckedThrowingContinuation { continuation in
            _ = handle.execute { loop in
                do {
                    let server = try HTTPServer(loop: loop, address: SocketAddress(ip: "127.0.0.1", port: 0)!,
                                                limits: limits) { exchange in
                        let request = exchange.request
                        let text = "\(request.method) \(request.path) \(request.body.count)"
                        if request.path == "/stream" {
                            exchange.startEventStream()?.send(event: "hello", data: "line one\nline two")
                        } else if request.path == "/slow" {
                            _ = loop.schedule(after: .milliseconds(200)) { _ in
                                exchange.respond(HTTPResponse(contentType: "text/plain", text: text))
                            }
                        } else {
                            exchange.respond(HTTPResponse(contentType: "text/plain", text: text))
                        }
                    }
                    // The loop keeps the listener; the server object lives as long as the loop.
                    TestServer.keep(server, on: loop)
                    continuation.resume(returning: server.localAddress.port)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Holds `server` until the loop stops (a timer far in the future captures it).
    private static func keep(_ server: HTTPServer, on loop: EventLoop) {
        _ = loop.schedule(after: .seconds(3600)) { _ in _ = server }
    }

    func stop() {
        handle.stop()
        handle.join()
    }
}
