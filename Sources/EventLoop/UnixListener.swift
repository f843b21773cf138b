import Glibc
import Wire

extension EventLoop {
    /// The stand-in peer address of connections accepted on a Unix socket (they have no IP).
    public static let unixPeerAddress = SocketAddress(ip: IPAddress(0, 0, 0, 0), port: 0)!

    /// A listening Unix stream socket at `path` (the sidecar API's `unix:PATH`, issue 10):
    /// non-blocking and close-on-exec like every socket of the loop. Accepted connections
    /// are the same `TCPConnection` byte streams as TCP's, with `unixPeerAddress` as their
    /// remote address. A socket file left at `path` by an earlier run is replaced; any
    /// other file there is an error (EADDRINUSE). The caller removes the file when done.
    public func listenUnix(path: String, backlog: Int32 = 128,
                           onAccept: @escaping (TCPConnection) -> Void) throws(SystemError) -> TCPListener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
            throw SystemError(syscall: "bind(\(path))", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFSOCK else { throw SystemError(syscall: "bind(\(path))", errno: EADDRINUSE) }
            unlink(path)
        }
        let fd = try retryingInterrupts("socket(AF_UNIX)") {
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            _ = try retryingInterrupts("bind(\(path))") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            _ = try retryingInterrupts("listen") { Glibc.listen(fd, backlog) }
        } catch {
            SocketSupport.close(fd)
            throw error
        }
        let listener = TCPListener(loop: self, fd: fd, localAddress: Self.unixPeerAddress, tls: nil, handshakeTimeout: .zero,
                                   onAccept: onAccept, onAcceptError: nil, unixPeer: Self.unixPeerAddress)
        try listener.startOrClose()
        return listener
    }
}
