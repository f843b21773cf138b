import EventLoop
import Membership
import Wire

/// Between the core's `NodeAddress` and the loop's `SocketAddress`: both hold Wire's
/// `IPAddress` inline, so the conversion copies two words and allocates nothing.
extension NodeAddress {
    /// The core's view of a socket address. IPv4 stays 4 bytes, so a node that
    /// advertises IPv4 is compared bytewise as Go compares it (memberlist-wire.md §10.5).
    init(_ socket: SocketAddress) {
        self.init(ip: socket.ip, port: socket.port)
    }

    /// The loop's socket address, nil when the IP is neither 4 nor 16 bytes
    /// (an address a peer advertised that cannot be dialled).
    var socketAddress: SocketAddress? { SocketAddress(ip: ip, port: port) }
}
