import Glibc
import Wire

/// Blocking loopback TCP sockets for the benchmark clients that play a dskit peer
/// (DskitPingClient, DskitTLSPingClient). Nothing here allocates per call.
enum LoopbackSockets {
    /// 127.0.0.1:`port`.
    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A lost connection must not hang the benchmark: give up after one second.
    static func setReceiveTimeout(_ descriptor: Int32) {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A listening socket on 127.0.0.1:`port` (the address the client's frames advertise).
    static func listen(port: UInt16) throws -> Int32 {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw PingClient.Failure.socket("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setReceiveTimeout(listener)
        var local = address(port: port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound, Glibc.listen(listener, 128) == 0 else {
            close(listener)
            throw PingClient.Failure.socket("bind/listen: errno \(errno)")
        }
        return listener
    }

    /// A socket connected to `address` whose close resets instead of lingering (SO_LINGER 0),
    /// so a ping per round trip leaves no TIME_WAIT on the client side. Callers close it only
    /// once the node has closed its side, so nothing unread is lost.
    static func connectAbortingOnClose(to address: sockaddr_in) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PingClient.Failure.socket("socket: errno \(errno)") }
        var abort = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
        setReceiveTimeout(descriptor)
        var remote = address
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw PingClient.Failure.socket("connect: errno \(errno)")
        }
        return descriptor
    }

    /// The dskit frame `01 N addr ping md5` of `ping` from 127.0.0.1:`sourcePort`.
    static func dskitPingFrame(_ ping: Ping, sourcePort: UInt16) throws -> ReceivedPacket {
        var message = WireBuffer(capacity: 1_400)
        Message.ping(ping).encode(into: &message)
        var framed = WireBuffer(capacity: 1_500)
        try DskitPacketFrame.encode(address: "127.0.0.1:\(sourcePort)", payload: message.bytes, into: &framed)
        return ReceivedPacket(framed.bytes)
    }

    /// The messages of a received ack frame (allocates; for checking, not for measuring).
    static func dskitReply(_ reply: [UInt8], length: Int) throws -> [Message] {
        let view = try reply.withUnsafeBytes { try DskitPacketFrame.decode(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        guard view.digestMatches else { throw PingClient.Failure.noAck("ack frame MD5 mismatch") }
        return try PacketDecoder.decodeAll(Array(view.payload), security: PacketSecurity())
    }
}
