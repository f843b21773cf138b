import CShims
import Glibc
import MonotonicTime

extension EventLoop {
    /// Opens a TCP connection without blocking: a non-blocking `connect`
    /// completed on writability, then (with `tls`) a handshake, all within
    /// `timeout`. `completion` always runs later on the loop, exactly once,
    /// with a ready connection or the reason it failed.
    ///
    /// TLS peer identity: `serverName` (or the context's) is checked against
    /// the certificate; without one the peer's IP must be among its IP SANs. With
    /// the context's session cache on, a session kept for `remote` and that name is
    /// offered for resumption, and the server's new ones are kept.
    public func connectTCP(
        to remote: SocketAddress,
        timeout: Duration,
        tls: TLSContext? = nil,
        serverName: String? = nil,
        _ completion: @escaping (Result<TCPConnection, ConnectionError>) -> Void
    ) {
        let fd: Int32
        do {
            fd = try SocketSupport.startConnect(to: remote)
        } catch {
            execute { _ in completion(.failure(.system(error))) }
            return
        }
        var session: TLSSession?
        if let tls {
            do {
                session = try TLSSession(
                    context: tls, fd: fd, role: .client(serverName: serverName, peer: remote))
            } catch {
                SocketSupport.close(fd)
                execute { _ in completion(.failure(.tls(error))) }
                return
            }
        }
        let connection = TCPConnection(
            loop: self, fd: fd, remote: remote, phase: .connecting, tls: session, establish: completion)
        do {
            try connection.start(establishBy: now + timeout)
        } catch {
            execute { _ in connection.teardown(error: .system(error)) }
        }
    }
}

extension SocketSupport {
    /// Opens a TCP socket (TCP_NODELAY) and starts a non-blocking connect;
    /// the caller owns the descriptor and watches it for writability.
    static func startConnect(to remote: SocketAddress) throws(SystemError) -> Int32 {
        let fd = try open(family: remote.family, type: CSHIMS_SOCK_STREAM)
        _ = cshims_set_int_option(fd, CSHIMS_IPPROTO_TCP, CSHIMS_TCP_NODELAY, 1)
        var raw = remote.raw
        let started = cshims_connect(fd, &raw)
        let code = started == 0 ? 0 : cshims_errno()
        // EINTR on a non-blocking connect means it continues in the background.
        guard code == 0 || code == EINPROGRESS || code == EINTR else {
            close(fd)
            throw SystemError(syscall: "connect", errno: code)
        }
        return fd
    }

    /// After a connecting descriptor became writable (or reported an error):
    /// true once connected, false while still pending, throws the connect's failure.
    static func connectOutcome(_ fd: Int32) throws(SystemError) -> Bool {
        var code: Int32 = 0
        if cshims_socket_error(fd, &code) != 0 { code = cshims_errno() }
        guard code == 0 else { throw SystemError(syscall: "connect", errno: code) }
        return peerAddress(fd) != nil
    }
}
