import CShims
import Glibc

/// Socket set-up shared by UDP and TCP: every socket is non-blocking and
/// close-on-exec from creation, and every call retries EINTR.
enum SocketSupport {
    /// Go's memberlist asks for 2 MiB UDP buffers and halves on failure
    /// (net_transport.go setUDPRecvBuf); we do the same for both directions.
    static let preferredBufferSize: Int32 = 2 * 1024 * 1024

    static func open(family: SocketAddress.Family, type: Int32) throws(SystemError) -> Int32 {
        try retryingInterrupts("socket") { cshims_socket(family == .ipv4 ? 4 : 6, type) }
    }

    static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32, label: String) throws(SystemError) {
        _ = try retryingInterrupts(label) { cshims_set_int_option(fd, level, name, value) }
    }

    /// Tries `preferredBufferSize`, halving on failure; the kernel may still
    /// clamp to net.core.rmem_max/wmem_max, which is not an error.
    static func requestLargeBuffers(_ fd: Int32) {
        for option in [CSHIMS_SO_RCVBUF, CSHIMS_SO_SNDBUF] {
            var size = preferredBufferSize
            while size >= 64 * 1024 {
                if cshims_set_int_option(fd, CSHIMS_SOL_SOCKET, option, size) == 0 { break }
                size /= 2
            }
        }
    }

    static func bind(_ fd: Int32, to address: SocketAddress) throws(SystemError) {
        var raw = address.raw
        _ = try retryingInterrupts("bind") { cshims_bind(fd, &raw) }
    }

    static func localAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var raw = cshims_addr()
        _ = try retryingInterrupts("getsockname") { cshims_local_address(fd, &raw) }
        guard let address = SocketAddress(raw) else { throw SystemError(syscall: "getsockname", errno: EAFNOSUPPORT) }
        return address
    }

    static func peerAddress(_ fd: Int32) -> SocketAddress? {
        var raw = cshims_addr()
        guard cshims_peer_address(fd, &raw) == 0 else { return nil }
        return SocketAddress(raw)
    }

    /// Closes without retrying: on Linux the descriptor is gone even on EINTR.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
