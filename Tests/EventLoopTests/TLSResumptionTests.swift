import COpenSSL
import CShims
import Foundation
import Glibc
import Testing
@testable import EventLoop
import NetworkTestSupport

/// Session resumption (issue 14): a `TLSContext` with a session cache resumes with servers
/// that issue tickets; one with a ticket lifetime issues tickets under rotating keys, but
/// only to clients offering one of its ALPN protocols (dskit's Go client offers none and
/// keeps no session cache, so a ticket per packet connection would be pure cost there,
/// docs/benchmarks.md). A reload forgets every session and ticket key.
@Suite struct TLSResumptionTests {
    static let protocolName = "memberlistd-packets/1"

    /// The node's certificate, our ALPN protocol, tickets valid 60 s and a client cache.
    static func resuming(tls12: Bool = false, alpn: Bool = true) throws -> TLSConfiguration {
        var configuration = try TLSTests.node()
        configuration.applicationProtocols = alpn ? [protocolName] : []
        configuration.sessionCacheCapacity = 8
        configuration.sessionTicketLifetime = .seconds(60)
        if tls12 { configuration.maximumVersion = .tls1_2 }
        return configuration
    }

    /// Whether each echo connection resumed, seen by the client and by the server.
    struct Resumed: Equatable, Sendable, CustomStringConvertible {
        var client: Bool
        var server: Bool
        static let full = Resumed(client: false, server: false)
        static let resumed = Resumed(client: true, server: true)
        var description: String { "client \(client ? "resumed" : "full"), server \(server ? "resumed" : "full")" }
    }

    /// `count` echo connections, one after the other, from a client context to a server
    /// context (the same one when `shared`). `before(i, server, client)` runs on the loop
    /// before connection i. Each connection sends "ping" and waits for the echo, by
    /// which time a TLS 1.3 ticket sent after the server's handshake has been read.
    func connections(
        _ count: Int, server: TLSConfiguration, client: TLSConfiguration, shared: Bool = false,
        before: @escaping @Sendable (Int, TLSContext, TLSContext) throws -> Void = { _, _, _ in }
    ) async throws -> [Resumed] {
        try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ([Resumed]) -> Void) in
                let serverContext = try TLSContext(configuration: server)
                let clientContext = shared ? serverContext : try TLSContext(configuration: client)
                var serverSaw: [Bool] = []
                var results: [Resumed] = []
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                let listener = try loop.listenTCP(on: address, tls: serverContext, handshakeTimeout: .seconds(5),
                    onAccept: { connection in
                        serverSaw.append(connection.tlsSessionResumed)
                        connection.onRead = { [unowned connection] bytes in try? connection.write(bytes) }
                    })
                func connect(_ index: Int) {
                    guard index < count else {
                        listener.close()
                        return finish(results)
                    }
                    do { try before(index, serverContext, clientContext) } catch {
                        Issue.record("before connection \(index): \(error)")
                        return finish(results)
                    }
                    loop.connectTCP(to: listener.localAddress, timeout: .seconds(5), tls: clientContext) { result in
                        guard case .success(let connection) = result else {
                            Issue.record("connection \(index) failed: \(result)")
                            return finish(results)
                        }
                        let clientResumed = connection.tlsSessionResumed
                        connection.onRead = { _ in
                            connection.close()
                            results.append(Resumed(client: clientResumed, server: serverSaw.last ?? false))
                            connect(index + 1)
                        }
                        try? connection.write(array: Array("ping".utf8))
                    }
                }
                connect(0)
            }
        }
    }

    @Test(arguments: [false, true])
    func clientResumesWithOurServer(tls12: Bool) async throws {
        let configuration = try Self.resuming(tls12: tls12)
        let seen = try await connections(3, server: configuration, client: configuration)
        #expect(seen == [.full, .resumed, .resumed])
    }

    /// With client certificates required, a resumed handshake skips them too (the
    /// session carries the verified one); TLS 1.2 needs a session ID context for that.
    @Test(arguments: [false, true])
    func clientResumesWhenClientCertificatesAreRequired(tls12: Bool) async throws {
        var configuration = try Self.resuming(tls12: tls12)
        configuration.requireClientCertificate = true
        let seen = try await connections(3, server: configuration, client: configuration)
        #expect(seen == [.full, .resumed, .resumed])
    }

    /// The transport's case: one context is listener and dialer.
    @Test func oneContextServingBothSidesResumesWithItself() async throws {
        let configuration = try Self.resuming()
        let seen = try await connections(3, server: configuration, client: configuration, shared: true)
        #expect(seen == [.full, .resumed, .resumed])
    }

    /// A ticket under the previous key still resumes (and is renewed under the current
    /// one); after two more rotations the key it was made with is gone.
    @Test(arguments: [false, true])
    func ticketsSurviveOneRotationNotTwo(tls12: Bool) async throws {
        let configuration = try Self.resuming(tls12: tls12)
        let seen = try await connections(4, server: configuration, client: configuration) { index, server, _ in
            switch index {
            case 2: try server.rotateTicketKeys()
            case 3:
                try server.rotateTicketKeys()
                try server.rotateTicketKeys()
            default: break
            }
        }
        #expect(seen == [.full, .resumed, .resumed, .full])
    }

    /// After a reload nothing from before resumes: the server's ticket keys are new and
    /// the client's cache is empty (a new CA must verify the next handshake).
    @Test func reloadEndsResumptionOnEitherSide() async throws {
        let configuration = try Self.resuming()
        let serverReloaded = try await connections(3, server: configuration, client: configuration) { index, server, _ in
            if index == 2 { try server.reload() }
        }
        #expect(serverReloaded == [.full, .resumed, .full])
        let clientReloaded = try await connections(3, server: configuration, client: configuration) { index, _, client in
            if index == 2 {
                #expect(client.cachedSessionCount == 1)
                try client.reload()
                #expect(client.cachedSessionCount == 0)
            }
        }
        #expect(clientReloaded == [.full, .resumed, .full])
    }

    /// A client that offers none of the server's ALPN protocols (as dskit's Go client)
    /// gets no ticket, so it never resumes, even with a session cache of its own.
    @Test func noTicketForClientsWithoutOurApplicationProtocol() async throws {
        let seen = try await connections(
            2, server: try Self.resuming(), client: try Self.resuming(alpn: false))
        #expect(seen == [.full, .full])
    }

    /// A server without a ticket lifetime issues no ticket, also in TLS 1.2 where OpenSSL
    /// would otherwise issue one under its own keys to any client asking (the transport
    /// with persistent connections off: a client cache, no tickets).
    @Test(arguments: [false, true])
    func serverWithoutTicketLifetimeIssuesNone(tls12: Bool) async throws {
        var server = try Self.resuming(tls12: tls12)
        server.sessionTicketLifetime = .zero
        let seen = try await connections(2, server: server, client: try Self.resuming(tls12: tls12))
        #expect(seen == [.full, .full])
    }

    /// Without a cache the client neither offers nor keeps sessions.
    @Test func clientWithoutCacheNeverResumes() async throws {
        var client = try Self.resuming()
        client.sessionCacheCapacity = 0
        let seen = try await connections(2, server: try Self.resuming(), client: client)
        #expect(seen == [.full, .full])
    }

    /// Checked from a real OpenSSL client's side (not ours): after one echo exchange,
    /// does it hold a session it could resume? Not without offering our ALPN protocol,
    /// in TLS 1.3 and 1.2; yes when it offers it (the control).
    @Test(arguments: [false, true])
    func foreignClientGetsTicketOnlyWithOurProtocol(tls12: Bool) async throws {
        #expect(try await foreignClientHoldsResumableSession(tls12: tls12, offerALPN: false) == false)
        #expect(try await foreignClientHoldsResumableSession(tls12: tls12, offerALPN: true))
    }

    func foreignClientHoldsResumableSession(tls12: Bool, offerALPN: Bool) async throws -> Bool {
        let server = try Self.resuming()
        let ca = try TestFiles.certificate("ca.pem")
        return try await withLoop { handle in
            let port: UInt16 = try await onLoop(handle) { (loop, finish: @escaping (UInt16) -> Void) in
                let listener = try startEchoServer(on: loop, ip: "127.0.0.1", tls: try TLSContext(configuration: server))
                finish(listener.localAddress.port)
            }
            return try BlockingEchoClient.resumableAfterEcho(
                port: port, ca: ca, tls12Only: tls12, alpn: offerALPN ? Self.protocolName : nil)
        }
    }

    /// The cache keeps one session per peer, at most `capacity` peers, dropping the
    /// least recently stored; a session from before `removeAll` is not stored.
    @Test func sessionCacheIsBoundedPerPeer() throws {
        let cache = TLSSessionCache(capacity: 2)
        func key(_ port: UInt16) throws -> TLSSessionCache.Key {
            TLSSessionCache.Key(address: try #require(SocketAddress(ip: "127.0.0.1", port: port)), serverName: nil)
        }
        func session() throws -> OpaquePointer { try #require(SSL_SESSION_new()) }
        let generation = cache.generation
        cache.store(try session(), for: try key(1), generation: generation)
        cache.store(try session(), for: try key(2), generation: generation)
        cache.store(try session(), for: try key(1), generation: generation)  // replaces, peer 1 is now newest
        #expect(cache.count == 2)
        cache.store(try session(), for: try key(3), generation: generation)
        #expect(cache.count == 2)
        #expect(cache.session(for: try key(2)) == nil)
        #expect(cache.session(for: try key(1)) != nil)
        #expect(cache.session(for: try key(3)) != nil)
        #expect(cache.session(for: TLSSessionCache.Key(address: try key(1).address, serverName: "other")) == nil)
        cache.removeAll()
        cache.store(try session(), for: try key(4), generation: generation)
        #expect(cache.count == 0)
    }
}

/// A blocking OpenSSL client for `TLSResumptionTests`, run off the loop thread.
enum BlockingEchoClient {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func resumableAfterEcho(port: UInt16, ca: String, tls12Only: Bool, alpn: String? = nil) throws -> Bool {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure(description: "SSL_CTX_new") }
        defer { SSL_CTX_free(context) }
        if tls12Only { _ = cshims_ssl_ctx_set_max_proto(context, cshims_tls_version(2)) }
        if let alpn {
            let wire = [UInt8(alpn.utf8.count)] + Array(alpn.utf8)
            guard SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count)) == 0 else {
                throw Failure(description: "set ALPN")
            }
        }
        guard SSL_CTX_load_verify_locations(context, ca, nil) == 1 else { throw Failure(description: "load CA") }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect: errno \(errno)") }
        guard let ssl = SSL_new(context) else { throw Failure(description: "SSL_new") }
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, descriptor)
        guard SSL_connect(ssl) == 1 else { throw Failure(description: "handshake failed") }
        let ping: [UInt8] = Array("ping".utf8)
        var written = 0
        guard SSL_write_ex(ssl, ping, ping.count, &written) == 1, written == ping.count else {
            throw Failure(description: "write failed")
        }
        var echoed = [UInt8](repeating: 0, count: 16)
        var length = 0
        while length < ping.count {
            var count = 0
            let result = echoed.withUnsafeMutableBytes { buffer in
                SSL_read_ex(ssl, buffer.baseAddress.map { $0 + length }, buffer.count - length, &count)
            }
            guard result == 1 else { throw Failure(description: "read failed") }
            length += count
        }
        guard Array(echoed[0..<length]) == ping else { throw Failure(description: "echo mismatch") }
        _ = SSL_shutdown(ssl)
        return SSL_SESSION_is_resumable(SSL_get_session(ssl)) == 1
    }
}
