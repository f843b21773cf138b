import EventLoop
import CShims
import Glibc
import Testing
import NetworkTestSupport

@Suite struct TLSTests {
    /// What each side saw: the client the echoed text, the server the TLS version.
    struct Outcome: Sendable {
        var client: Result<String, ConnectionError>
        var server: Result<String, ConnectionError>
    }

    static func node() throws -> TLSConfiguration {
        TLSConfiguration(certificateFile: try TestFiles.certificate("node.pem"),
                         keyFile: try TestFiles.certificate("node.key"),
                         caFile: try TestFiles.certificate("ca.pem"))
    }

    static func rogue() throws -> TLSConfiguration {
        TLSConfiguration(certificateFile: try TestFiles.certificate("rogue.pem"),
                         keyFile: try TestFiles.certificate("rogue.key"),
                         caFile: try TestFiles.certificate("ca.pem"))
    }

    static func trustingClient() throws -> TLSConfiguration {
        TLSConfiguration(caFile: try TestFiles.certificate("ca.pem"))
    }

    /// One TLS connection to an echo server: the client sends "ping over tls"
    /// and waits for it back. Both sides' results are collected.
    func run(
        server serverConfiguration: TLSConfiguration, client clientConfiguration: TLSConfiguration,
        ip: String = "127.0.0.1", serverName: String? = nil
    ) async throws -> Outcome {
        _ = try TestFiles.certificate("ca.pem")
        return try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Outcome) -> Void) in
                let serverContext = try TLSContext(configuration: serverConfiguration)
                let clientContext = try TLSContext(configuration: clientConfiguration)
                var clientResult: Result<String, ConnectionError>?
                var serverResult: Result<String, ConnectionError>?
                func settle() {
                    guard let clientResult, let serverResult else { return }
                    finish(Outcome(client: clientResult, server: serverResult))
                }
                let address = try #require(SocketAddress(ip: ip, port: 0))
                let listener = try loop.listenTCP(on: address, tls: serverContext, handshakeTimeout: .seconds(5),
                    onAccept: { connection in
                        serverResult = .success(connection.tlsProtocolVersion ?? "none")
                        connection.onRead = { [unowned connection] bytes in try? connection.write(bytes) }
                        settle()
                    },
                    onAcceptError: { error, _ in
                        serverResult = .failure(error)
                        settle()
                    })
                let expected = "ping over tls"
                loop.connectTCP(to: listener.localAddress, timeout: .seconds(5), tls: clientContext,
                                serverName: serverName) { result in
                    _ = listener
                    switch result {
                    case .failure(let error):
                        clientResult = .failure(error)
                        settle()
                    case .success(let connection):
                        var echoed: [UInt8] = []
                        connection.onRead = { bytes in
                            echoed += bytes
                            if echoed.count >= expected.utf8.count {
                                clientResult = .success(String(decoding: echoed, as: UTF8.self))
                                connection.close()
                                settle()
                            }
                        }
                        connection.onClose = { error in
                            clientResult = .failure(error ?? .notOpen)
                            settle()
                        }
                        try? connection.write(array: Array(expected.utf8))
                    }
                }
            }
        }
    }

    /// Handshakes in progress are bounded in all and per source address (issue #12): clients
    /// that connect and never send a ClientHello take a slot each until `handshakeTimeout`;
    /// beyond a bound they are closed at accept, and slots free again after the timeout.
    @Test func pendingHandshakesAreBoundedInAllAndPerSource() async throws {
        struct Seen: Sendable { var refusedBeforeTimeouts = 0, timeouts = 0, refusedAtEnd = 0, pendingAtEnd = 0, stuckAt: Int? }
        let server = try Self.node()
        let seen = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Seen) -> Void) in
                var seen = Seen(stuckAt: nil)
                var refused = 0
                let giveUp = loop.now.advanced(by: .seconds(20))
                let listener = try loop.listenTCP(
                    on: try #require(SocketAddress(ip: "0.0.0.0", port: 0)), tls: try TLSContext(configuration: server),
                    handshakeTimeout: .seconds(2), onAccept: { $0.close() }, onAcceptError: { _, _ in seen.timeouts += 1 })
                listener.maxPendingHandshakes = 3
                listener.maxPendingHandshakesPerSource = 2
                listener.onHandshakeRefused = { _ in refused += 1 }
                // Plain sockets bound to a chosen loopback source (Linux would pick 127.0.0.1
                // for any 127/8 destination); connect completes in the kernel's backlog.
                var clients: [Int32] = []
                func connect(_ source: UInt32) {
                    let fd = socket(AF_INET, CSHIMS_SOCK_STREAM, 0)
                    guard fd >= 0 else { return }
                    clients.append(fd)
                    var address = sockaddr_in()
                    address.sin_family = sa_family_t(AF_INET)
                    address.sin_addr.s_addr = source.bigEndian
                    let size = socklen_t(MemoryLayout<sockaddr_in>.size)
                    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
                    address.sin_port = listener.localAddress.port.bigEndian
                    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) } }
                }
                let (first, second): (UInt32, UInt32) = (0x7f00_0001, 0x7f00_0002)
                // Each step waits for what the previous one must have caused, then acts.
                var steps: [(check: () -> Bool, act: () -> Void)] = [
                    ({ true }, { for _ in 0..<3 { connect(first) } }),
                    ({ refused == 1 && listener.pendingHandshakes == 2 }, { connect(second) }),  // third from one source
                    ({ listener.pendingHandshakes == 3 }, { connect(second) }),
                    ({ refused == 2 }, { seen.refusedBeforeTimeouts = refused }),                        // fourth in all
                    ({ seen.timeouts == 3 && listener.pendingHandshakes == 0 }, { for _ in 0..<2 { connect(first) } }),
                    ({ listener.pendingHandshakes == 2 }, {
                        seen.refusedAtEnd = refused
                        seen.pendingAtEnd = listener.pendingHandshakes
                    }),
                ]
                let stepCount = steps.count
                func poll(_ loop: EventLoop) {
                    if !steps.isEmpty, loop.now > giveUp { seen.stuckAt = stepCount - steps.count }
                    guard let step = steps.first, seen.stuckAt == nil else {
                        for client in clients { Glibc.close(client) }
                        listener.close()
                        return finish(seen)
                    }
                    if step.check() {
                        steps.removeFirst()
                        step.act()
                    }
                    _ = loop.schedule(after: .milliseconds(5), poll)
                }
                poll(loop)
            }
        }
        #expect(seen.stuckAt == nil)
        #expect(seen.refusedBeforeTimeouts == 2)
        #expect(seen.timeouts == 3)
        #expect(seen.refusedAtEnd == 2)
        #expect(seen.pendingAtEnd == 2)
    }

    func tlsFailure(_ result: Result<String, ConnectionError>) -> TLSError? {
        if case .failure(.tls(let error)) = result { return error }
        return nil
    }

    @Test func trustedCertificateVerifiedByIPSAN() async throws {
        let outcome = try await run(server: try Self.node(), client: try Self.trustingClient())
        #expect(try outcome.client.get() == "ping over tls")
        #expect(try outcome.server.get() == "TLSv1.3")
    }

    @Test func trustedCertificateOverIPv6() async throws {
        let outcome = try await run(server: try Self.node(), client: try Self.trustingClient(), ip: "::1")
        #expect(try outcome.client.get() == "ping over tls")
    }

    @Test func trustedCertificateVerifiedByServerName() async throws {
        let outcome = try await run(server: try Self.node(), client: try Self.trustingClient(),
                                    serverName: "memberlist-node")
        #expect(try outcome.client.get() == "ping over tls")
    }

    @Test func rogueServerIsRejectedByClient() async throws {
        let outcome = try await run(server: try Self.rogue(), client: try Self.trustingClient())
        let error = try #require(tlsFailure(outcome.client))
        #expect(error.operation == "handshake")
        #expect(error.reasons.contains { $0.contains("certificate verify failed") })
        #expect(error.verification == "unable to get local issuer certificate")
        #expect(throws: ConnectionError.self) { try outcome.server.get() }
    }

    @Test func wrongServerNameIsRejected() async throws {
        let outcome = try await run(server: try Self.node(), client: try Self.trustingClient(),
                                    serverName: "not-the-node.example")
        let error = try #require(tlsFailure(outcome.client))
        #expect(error.verification == "hostname mismatch")
    }

    @Test func skipVerifyAcceptsRogueCertificate() async throws {
        var client = try Self.trustingClient()
        client.insecureSkipVerify = true
        let outcome = try await run(server: try Self.rogue(), client: client)
        #expect(try outcome.client.get() == "ping over tls")
    }

    @Test func requiredClientCertificateMissingIsRejected() async throws {
        var server = try Self.node()
        server.requireClientCertificate = true
        let outcome = try await run(server: server, client: try Self.trustingClient())
        let error = try #require(tlsFailure(outcome.server))
        #expect(error.reasons.contains { $0.contains("peer did not return a certificate") })
        #expect(throws: ConnectionError.self) { try outcome.client.get() }
    }

    @Test func requiredClientCertificateFromUntrustedCAIsRejected() async throws {
        var server = try Self.node()
        server.requireClientCertificate = true
        let outcome = try await run(server: server, client: try Self.rogue())
        let error = try #require(tlsFailure(outcome.server))
        #expect(error.verification == "unable to get local issuer certificate")
        #expect(throws: ConnectionError.self) { try outcome.client.get() }
    }

    @Test func requiredClientCertificateFromTrustedCAIsAccepted() async throws {
        var server = try Self.node()
        server.requireClientCertificate = true
        let outcome = try await run(server: server, client: try Self.node())
        #expect(try outcome.client.get() == "ping over tls")
    }

    @Test func minimumTLS13RejectsClientCappedAtTLS12() async throws {
        var server = try Self.node()
        server.minimumVersion = .tls1_3
        var client = try Self.trustingClient()
        client.maximumVersion = .tls1_2
        let outcome = try await run(server: server, client: client)
        let serverError = try #require(tlsFailure(outcome.server))
        #expect(serverError.reasons.contains { $0.contains("unsupported protocol") })
        #expect(tlsFailure(outcome.client) != nil)
    }

    @Test func tls12WithConfiguredCipherListWorks() async throws {
        var server = try Self.node()
        server.maximumVersion = .tls1_2
        server.cipherList = "ECDHE-ECDSA-AES128-GCM-SHA256"
        let outcome = try await run(server: server, client: try Self.trustingClient())
        #expect(try outcome.client.get() == "ping over tls")
        #expect(try outcome.server.get() == "TLSv1.2")
    }

    @Test func badFilesReportOpenSSLReasons() throws {
        #expect {
            _ = try TLSContext(configuration: TLSConfiguration(
                certificateFile: "/nonexistent/cert.pem", keyFile: "/nonexistent/key.pem"))
        } throws: { error in
            guard let error = error as? TLSError else { return false }
            return error.operation.hasPrefix("load certificate") && !error.reasons.isEmpty
        }
        #expect(throws: TLSError.self) {
            _ = try TLSContext(configuration: TLSConfiguration(
                certificateFile: try TestFiles.certificate("node.pem"),
                keyFile: try TestFiles.certificate("rogue.key")))
        }
    }

    /// Reloading swaps the certificate for new connections without a restart;
    /// a connection made before the reload keeps its session and still echoes.
    @Test func reloadAffectsOnlyNewConnections() async throws {
        let rogue = try Self.rogue(), node = try Self.node(), trusting = try Self.trustingClient()
        let results = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ([String]) -> Void) in
                let serverContext = try TLSContext(configuration: node)
                let clientContext = try TLSContext(configuration: trusting)
                let listener = try startEchoServer(on: loop, ip: "127.0.0.1", tls: serverContext)
                var results: [String] = []
                func attempt(then next: @escaping (TCPConnection?) -> Void) {
                    loop.connectTCP(to: listener.localAddress, timeout: .seconds(5), tls: clientContext) { result in
                        switch result {
                        case .success(let connection):
                            results.append("ok")
                            next(connection)
                        case .failure:
                            results.append("rejected")
                            next(nil)
                        }
                    }
                }
                attempt { first in
                    do {
                        try serverContext.reload(rogue)
                        results.append("reloaded")
                    } catch {
                        results.append("reload failed: \(error)")
                    }
                    attempt { second in
                        second?.close()
                        guard let first else { return finish(results) }
                        first.onRead = { bytes in
                            results.append(String(decoding: bytes, as: UTF8.self))
                            first.close()
                            _ = listener
                            finish(results)
                        }
                        first.onClose = { _ in finish(results) }
                        try? first.write(array: Array("old session".utf8))
                    }
                }
            }
        }
        #expect(results == ["ok", "reloaded", "rejected", "old session"])
    }
}
