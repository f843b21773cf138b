import Testing
import EventLoop

@Suite struct TLSTests {
    /// What each side saw: the client the echoed text, the server the TLS version.
    struct Outcome: Sendable {
        var client: Result<String, ConnectionError>
        var server: Result<String, ConnectionError>
    }

    static func node() throws -> TLSConfiguration {
        TLSConfiguration(certificateFile: try TestCertificates.path("node.pem"),
                         keyFile: try TestCertificates.path("node.key"),
                         caFile: try TestCertificates.path("ca.pem"))
    }

    static func rogue() throws -> TLSConfiguration {
        TLSConfiguration(certificateFile: try TestCertificates.path("rogue.pem"),
                         keyFile: try TestCertificates.path("rogue.key"),
                         caFile: try TestCertificates.path("ca.pem"))
    }

    static func trustingClient() throws -> TLSConfiguration {
        TLSConfiguration(caFile: try TestCertificates.path("ca.pem"))
    }

    /// One TLS connection to an echo server: the client sends "ping over tls"
    /// and waits for it back. Both sides' results are collected.
    func run(
        server serverConfiguration: TLSConfiguration, client clientConfiguration: TLSConfiguration,
        ip: String = "127.0.0.1", serverName: String? = nil
    ) async throws -> Outcome {
        _ = try TestCertificates.path("ca.pem")
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
                certificateFile: try TestCertificates.path("node.pem"),
                keyFile: try TestCertificates.path("rogue.key")))
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
