import COpenSSL
import CShims
import Glibc
import Testing
@testable import EventLoop

/// A `TLSContext` issues no session tickets and keeps no server-side session cache:
/// dskit's Go client sets no `ClientSessionCache`, so it never resumes, and every
/// dskit packet is a fresh TLS connection (dskit-kv-ring.md §1) — a ticket per
/// connection would only cost the node allocations, CPU and bytes on the wire
/// (docs/benchmarks.md, dskit TLS row). Checked from a real OpenSSL client's side:
/// after one echo exchange, does it hold a session it could resume?
@Suite struct TLSResumptionTests {
    @Test func tls13ServerIssuesNoTicket() async throws {
        #expect(try await clientHoldsResumableSession(tls12Only: false, restoreResumption: false) == false)
    }

    @Test func tls12ServerIssuesNoTicketAndNoSessionID() async throws {
        #expect(try await clientHoldsResumableSession(tls12Only: true, restoreResumption: false) == false)
    }

    /// The control: with OpenSSL's defaults put back, the same check sees a resumable
    /// session, so the two tests above can fail.
    @Test func opensslDefaultsWouldHandOutResumableSessions() async throws {
        #expect(try await clientHoldsResumableSession(tls12Only: false, restoreResumption: true))
        #expect(try await clientHoldsResumableSession(tls12Only: true, restoreResumption: true))
    }

    /// An echo server on a node `TLSContext`, and a blocking OpenSSL client that sends
    /// "ping", reads it back (by then any TLS 1.3 ticket, sent right after the server's
    /// handshake, has been processed) and reports `SSL_SESSION_is_resumable`.
    func clientHoldsResumableSession(tls12Only: Bool, restoreResumption: Bool) async throws -> Bool {
        let server = try TLSTests.node()
        let ca = try TestCertificates.path("ca.pem")
        return try await withLoop { handle in
            let port: UInt16 = try await onLoop(handle) { (loop, finish: @escaping (UInt16) -> Void) in
                let context = try TLSContext(configuration: server)
                if restoreResumption {
                    SSL_CTX_clear_options(context.context, UInt64(1) << 14)  // SSL_OP_NO_TICKET
                    _ = SSL_CTX_ctrl(context.context, SSL_CTRL_SET_SESS_CACHE_MODE, Int(SSL_SESS_CACHE_SERVER), nil)
                    _ = SSL_CTX_set_num_tickets(context.context, 2)
                }
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                let listener = try loop.listenTCP(on: address, tls: context, handshakeTimeout: .seconds(5),
                    onAccept: { connection in
                        connection.onRead = { [unowned connection] bytes in try? connection.write(bytes) }
                    })
                finish(listener.localAddress.port)
            }
            return try BlockingEchoClient.resumableAfterEcho(port: port, ca: ca, tls12Only: tls12Only)
        }
    }
}

/// A blocking OpenSSL client for `TLSResumptionTests`, run off the loop thread.
enum BlockingEchoClient {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func resumableAfterEcho(port: UInt16, ca: String, tls12Only: Bool) throws -> Bool {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure(description: "SSL_CTX_new") }
        defer { SSL_CTX_free(context) }
        if tls12Only { _ = cshims_ssl_ctx_set_max_proto(context, cshims_tls_version(2)) }
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
