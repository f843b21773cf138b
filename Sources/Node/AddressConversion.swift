import EventLoop
import Membership
import Wire

/// Between the core's `NodeAddress` (wire IP bytes + port) and the loop's
/// `SocketAddress`, without allocating: both store the bytes inline and the
/// copy goes through a stack buffer.
extension NodeAddress {
    /// The core's view of a socket address. IPv4 stays 4 bytes, so a node that
    /// advertises IPv4 is compared bytewise as Go compares it (memberlist-wire.md §10.5).
    init(_ socket: SocketAddress) {
        var storage: (UInt64, UInt64) = (0, 0)
        let count = socket.ipByteCount
        let ip = withUnsafeMutableBytes(of: &storage) { raw -> IPAddress in
            for index in 0..<count { raw[index] = socket.ipByte(at: index) }
            return IPAddress(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<count])) ?? IPAddress()
        }
        self.init(ip: ip, port: socket.port)
    }

    /// The loop's socket address, nil when the IP is neither 4 nor 16 bytes
    /// (an address a peer advertised that cannot be dialled).
    var socketAddress: SocketAddress? {
        var storage: (UInt64, UInt64) = (0, 0)
        let count = ip.count
        guard count == 4 || count == 16 else { return nil }
        let address = ip
        return withUnsafeMutableBytes(of: &storage) { raw -> SocketAddress? in
            for index in 0..<count { raw[index] = address[index] }
            return SocketAddress(ipBytes: UnsafeRawBufferPointer(rebasing: raw[0..<count]), port: port)
        }
    }
}
