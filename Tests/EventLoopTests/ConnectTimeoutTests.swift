import CShims
import Glibc
import Testing
import EventLoop

@Suite struct ConnectTimeoutTests {
    /// A listener that never accepts, with backlog 0: once its accept queue is
    /// full Linux drops further SYNs, so later connects stay pending until our
    /// deadline ends them. (Loopback only; no external black hole needed.)
    @Test func connectDeadlineFiresWhenHandshakeNeverCompletes() async throws {
        var raw = cshims_addr()
        raw.family = 4
        withUnsafeMutableBytes(of: &raw.bytes) { $0[0] = 127; $0[3] = 1 }
        let fd = cshims_socket(4, CSHIMS_SOCK_STREAM)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(cshims_bind(fd, &raw) == 0)
        try #require(listen(fd, 0) == 0)
        var bound = cshims_addr()
        try #require(cshims_local_address(fd, &bound) == 0)
        let target = try #require(SocketAddress(ip: "127.0.0.1", port: bound.port))

        let results = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ([String]) -> Void) in
                var results: [String] = []
                var open: [TCPConnection] = []
                let attempts = 6
                for _ in 0..<attempts {
                    loop.connectTCP(to: target, timeout: .milliseconds(300)) { result in
                        switch result {
                        case .success(let connection):
                            open.append(connection)
                            results.append("connected")
                        case .failure(let error):
                            results.append(error == .timedOut(.connect) ? "timed out" : "\(error)")
                        }
                        if results.count == attempts {
                            for connection in open { connection.close() }
                            finish(results)
                        }
                    }
                }
            }
        }
        #expect(results.count == 6)
        #expect(results.contains("timed out"))
        #expect(results.allSatisfy { $0 == "timed out" || $0 == "connected" })
    }

    /// Stopping the loop closes what it owns and tells each connection why.
    @Test func stoppingTheLoopClosesConnections() async throws {
        let handle = try EventLoop.startThread(name: "stop-close")
        let reasons = StringLog()
        _ = try await handle.submit { loop in
            let listener = try startEchoServer(on: loop, ip: "127.0.0.1",
                                               onServerClose: { reasons.append("server: \(String(describing: $0))") })
            loop.connectTCP(to: listener.localAddress, timeout: .seconds(5)) { result in
                guard case .success(let connection) = result else { return reasons.append("connect failed") }
                connection.onClose = { reasons.append("client: \(String(describing: $0))") }
                // Stop only once both ends exist.
                loop.schedule(after: .milliseconds(20)) { loop in loop.stop() }
            }
        }
        handle.join()
        #expect(reasons.values.sorted() == ["client: Optional(event loop stopped)", "server: Optional(event loop stopped)"])
    }
}
