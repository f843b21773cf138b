import COpenSSL
import CShims
import Glibc
import Wire

/// One `SSL` over a non-blocking socket, driven by readiness: every call
/// returns instead of blocking, reporting whether OpenSSL next needs the socket
/// readable or writable (ARCHITECTURE.md: WANT_READ/WANT_WRITE mapped to epoll
/// interest).
final class TLSSession {
    enum Role {
        /// Verifies the server against `serverName`, or `peer`'s IP SAN when
        /// no name is set (as Go does when dialing an IP); neither with skip-verify.
        /// Offers the session the context keeps for `peer` and that name, if any.
        case client(serverName: String?, peer: SocketAddress)
        case server
    }

    /// What a non-blocking step needs before it can continue.
    enum Need { case done, readable, writable }

    enum ReadOutcome { case bytes(Int), needsReadable, needsWritable, closed }

    private let ssl: OpaquePointer
    /// Client with resumption: where new sessions from the server go, under which key,
    /// and the cache generation this connection began in (``TLSSessionCache``).
    private let sessions: TLSSessionCache?
    private let sessionKey: TLSSessionCache.Key?
    private let sessionGeneration: Int

    init(context: TLSContext, fd: Int32, role: Role) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else { throw TLSError.drainingQueue(operation: "SSL_new") }
        self.ssl = ssl
        let configuration = context.configuration
        sessionGeneration = context.sessions.generation
        if case .client(let serverName, let peer) = role, context.sessions.capacity > 0 {
            sessions = context.sessions
            sessionKey = TLSSessionCache.Key(address: peer, serverName: serverName ?? configuration.serverName)
        } else {
            sessions = nil
            sessionKey = nil
        }
        guard SSL_set_fd(ssl, fd) == 1 else { throw TLSError.drainingQueue(operation: "SSL_set_fd") }
        switch role {
        case .client(let serverName, let peer):
            SSL_set_connect_state(ssl)
            // A copy: OpenSSL marks the session an SSL used not resumable when that SSL
            // ends without sending close_notify, and the cached one must stay usable.
            if let sessions, let sessionKey, let cached = sessions.session(for: sessionKey),
               let session = SSL_SESSION_dup(cached) {
                _ = SSL_set_session(ssl, session)  // a failure only means a full handshake
                SSL_SESSION_free(session)
            }
            let name = serverName ?? configuration.serverName
            if let name, !name.isEmpty, IPAddress(parsing: name) == nil {
                guard cshims_ssl_set_sni(ssl, name) == 1 else { throw TLSError.drainingQueue(operation: "set SNI") }
            }
            if configuration.insecureSkipVerify {
                SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
            } else {
                SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
                let expectation: Int32
                if let name, !name.isEmpty {
                    // An IP literal as server name is checked against IP SANs, as Go does.
                    expectation = IPAddress(parsing: name) != nil
                        ? cshims_ssl_expect_ip(ssl, name) : cshims_ssl_expect_host(ssl, name)
                } else {
                    expectation = cshims_ssl_expect_ip(ssl, peer.ipString)
                }
                guard expectation == 1 else { throw TLSError.drainingQueue(operation: "set expected peer identity") }
            }
        case .server:
            SSL_set_accept_state(ssl)
            if configuration.requireClientCertificate {
                SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            } else {
                SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
            }
        }
    }

    deinit { SSL_free(ssl) }

    func handshake() throws(TLSError) -> Need {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            keepNewSession()
            return .done
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .readable
        case SSL_ERROR_WANT_WRITE: return .writable
        case let code:
            // Do not offer a session to a peer that just failed a handshake with it.
            if let sessions, let sessionKey { sessions.remove(sessionKey) }
            throw failure(operation: "handshake", code: code)
        }
    }

    /// True when the handshake resumed a session (no certificates exchanged).
    var isResumed: Bool { SSL_session_reused(ssl) == 1 }

    /// Client with resumption: moves a session the server just handed out (TLS 1.2 at
    /// the end of the handshake, TLS 1.3 tickets with later reads) into the cache.
    /// Without a new one it is one lookup and allocates nothing.
    private func keepNewSession() {
        guard let sessions, let sessionKey, let session = cshims_ssl_take_new_session(ssl) else { return }
        sessions.store(session, for: sessionKey, generation: sessionGeneration)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> ReadOutcome {
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
        if sessions != nil { keepNewSession() }
        if result == 1 { return .bytes(count) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .needsReadable
        case SSL_ERROR_WANT_WRITE: return .needsWritable
        case SSL_ERROR_ZERO_RETURN: return .closed
        case let code: throw failure(operation: "read", code: code)
        }
    }

    /// Bytes written (> 0), or 0 with `need` telling what to wait for.
    func write(_ bytes: UnsafeRawBufferPointer) throws(TLSError) -> (written: Int, need: Need) {
        guard !bytes.isEmpty else { return (0, .done) }
        ERR_clear_error()
        var count = 0
        let result = SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &count)
        if result == 1 { return (count, .done) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return (0, .readable)
        case SSL_ERROR_WANT_WRITE: return (0, .writable)
        case let code: throw failure(operation: "write", code: code)
        }
    }

    /// Decrypted bytes buffered inside OpenSSL that epoll cannot see.
    var hasBufferedPlaintext: Bool { SSL_pending(ssl) > 0 }

    /// Sends close_notify once; a full socket just loses it (TCP FIN follows).
    func sendCloseNotify() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// True when ALPN selected exactly `name` in the handshake.
    func negotiatedApplicationProtocol(is name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            cshims_ssl_alpn_selected_is(ssl, bytes.baseAddress, UInt32(bytes.count)) == 1
        }
    }

    /// Keeps OpenSSL's read and write buffers between records instead of
    /// releasing them when idle (SSL_MODE_RELEASE_BUFFERS, set on every context):
    /// for a long-lived connection that carries many small records, so each
    /// record does not allocate and free them again (issue #4).
    func keepBuffers() {
        _ = SSL_ctrl(ssl, SSL_CTRL_CLEAR_MODE, Int(SSL_MODE_RELEASE_BUFFERS), nil)
    }

    /// The negotiated protocol, e.g. "TLSv1.3".
    var protocolVersion: String {
        guard let name = SSL_get_version(ssl) else { return "unknown" }
        return String(cString: name)
    }

    /// Builds the error for SSL_get_error's `code`; errno only explains SSL_ERROR_SYSCALL.
    private func failure(operation: String, code: Int32) -> TLSError {
        let systemErrno = code == SSL_ERROR_SYSCALL ? cshims_errno() : 0
        let verify = SSL_get_verify_result(ssl)
        var verification: String?
        if verify != X509_V_OK, let text = X509_verify_cert_error_string(verify) {
            verification = String(cString: text)
        }
        let fallback = systemErrno != 0
            ? SystemError(syscall: "SSL_\(operation)", errno: systemErrno).message
            : code == SSL_ERROR_SYSCALL ? "connection closed by peer" : "SSL error \(code)"
        return TLSError.drainingQueue(operation: operation, fallback: fallback, verification: verification)
    }
}
