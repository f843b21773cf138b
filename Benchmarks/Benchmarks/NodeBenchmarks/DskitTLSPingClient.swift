import BenchOpenSSL
import Glibc
import Wire

/// Plays a dskit peer probing the node over dskit's TCP transport with TLS
/// (`-memberlist.tls-enabled`, dskit-kv-ring.md §1): each ping is its own TLS connection
/// carrying `01 N addr ping md5`, and the node's ack arrives on a NEW TLS connection that
/// the node dials to `addr`, so this client also accepts TLS, presenting `certificate`.
/// The client verifies the node's certificate against `ca` and the IP SAN 127.0.0.1, as
/// dskit's Go client does when it dials an IP. Blocking sockets; the Swift side allocates
/// nothing per round trip, OpenSSL does (one `SSL` and handshake per connection), and
/// `OpenSSLThreadAllocations` counts those when this client's thread is watched.
final class DskitTLSPingClient {
    enum Failure: Error { case setup(String), tls(String) }

    private let listener: Int32
    private let nodeAddress: sockaddr_in
    private let frame: ReceivedPacket
    private var reply = [UInt8](repeating: 0, count: 65_536)
    private var scratch = [UInt8](repeating: 0, count: 4_096)
    /// Dials the node (client role) and accepts its ack connections (server role).
    private let dialing: OpaquePointer
    private let accepting: OpaquePointer

    /// A TLS listener on 127.0.0.1:`listenPort` (the address the frames advertise) and a
    /// dskit frame of `ping` (encoded once) for the node at 127.0.0.1:`nodePort`;
    /// `tls12Only` caps both of the client's contexts at TLS 1.2.
    init(nodePort: UInt16, listenPort: UInt16, ping: Ping, certificate: String, key: String, ca: String,
         tls12Only: Bool) throws {
        frame = try LoopbackSockets.dskitPingFrame(ping, sourcePort: listenPort)
        guard let dialing = SSL_CTX_new(TLS_client_method()) else { throw Failure.setup("SSL_CTX_new client") }
        guard let accepting = SSL_CTX_new(TLS_server_method()) else {
            SSL_CTX_free(dialing)
            throw Failure.setup("SSL_CTX_new server")
        }
        self.dialing = dialing
        self.accepting = accepting
        nodeAddress = LoopbackSockets.address(port: nodePort)
        do {
            listener = try LoopbackSockets.listen(port: listenPort)
        } catch {
            SSL_CTX_free(dialing)
            SSL_CTX_free(accepting)
            throw error
        }
        // Every stored property is set: from here on a throw runs deinit, which cleans up.
        guard bench_ssl_ctx_prepare(dialing, tls12Only ? 1 : 0) == 1,
              bench_ssl_ctx_prepare(accepting, tls12Only ? 1 : 0) == 1,
              SSL_CTX_load_verify_locations(dialing, ca, nil) == 1,
              X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(dialing), "127.0.0.1") == 1,
              SSL_CTX_use_certificate_chain_file(accepting, certificate) == 1,
              SSL_CTX_use_PrivateKey_file(accepting, key, SSL_FILETYPE_PEM) == 1
        else { throw Failure.setup("TLS contexts: \(Self.lastError())") }
        SSL_CTX_set_verify(dialing, SSL_VERIFY_PEER, nil)
    }

    deinit {
        close(listener)
        SSL_CTX_free(dialing)
        SSL_CTX_free(accepting)
    }

    /// One TLS ping connection out, one TLS ack connection in; returns the ack frame's length.
    @discardableResult
    func roundTrip() throws -> Int {
        try sendPing()
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { throw PingClient.Failure.noAck("accept: errno \(errno)") }
        defer { close(connection) }
        guard let ssl = SSL_new(accepting) else { throw Failure.tls("SSL_new: \(Self.lastError())") }
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, connection)
        guard SSL_accept(ssl) == 1 else { throw Failure.tls("accept handshake: \(Self.lastError())") }
        var length = 0
        while true {
            var count = 0
            let result = reply.withUnsafeMutableBytes { buffer in
                SSL_read_ex(ssl, buffer.baseAddress.map { $0 + length }, buffer.count - length, &count)
            }
            if result != 1 {
                // The node's close (with or without close_notify) ends the frame.
                guard SSL_get_error(ssl, result) == SSL_ERROR_ZERO_RETURN else {
                    throw Failure.tls("read ack: \(Self.lastError())")
                }
                break
            }
            guard length + count < reply.count else { throw PingClient.Failure.noAck("ack too long") }
            length += count
        }
        return length
    }

    /// Connects, completes the handshake, sends the frame and close_notify, half-closes,
    /// and waits for the node to close its side (it has read the packet by then).
    /// SO_LINGER 0 afterwards avoids a TIME_WAIT per ping on the client side.
    private func sendPing() throws {
        let descriptor = try LoopbackSockets.connectAbortingOnClose(to: nodeAddress)
        defer { close(descriptor) }
        guard let ssl = SSL_new(dialing) else { throw Failure.tls("SSL_new: \(Self.lastError())") }
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, descriptor)
        guard SSL_connect(ssl) == 1 else { throw Failure.tls("connect handshake: \(Self.lastError())") }
        var written = 0
        guard SSL_write_ex(ssl, frame.bytes.baseAddress, frame.bytes.count, &written) == 1,
              written == frame.bytes.count
        else { throw Failure.tls("write frame: \(Self.lastError())") }
        _ = SSL_shutdown(ssl)
        shutdown(descriptor, Int32(SHUT_WR))
        // Whatever the node still sends (session tickets, close_notify) is skipped raw.
        while true {
            let received = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if received == 0 { return }
            guard received > 0 else { throw PingClient.Failure.socket("node did not close: errno \(errno)") }
        }
    }

    /// The messages of the last ack frame (allocates; for checking, not for measuring).
    func lastReply(length: Int) throws -> [Message] {
        try LoopbackSockets.dskitReply(reply, length: length)
    }

    /// OpenSSL's oldest queued error as text (allocates; failure paths only).
    private static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0, let text = ERR_reason_error_string(code) else { return "errno \(errno)" }
        return String(cString: text)
    }
}
