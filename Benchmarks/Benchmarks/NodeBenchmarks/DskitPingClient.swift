import Glibc
import Wire

/// Plays a dskit peer probing the node over dskit's TCP transport (dskit-kv-ring.md §1):
/// each ping is its own TCP connection carrying `01 N addr ping md5`, and the node's ack
/// arrives on a NEW connection that the node dials to `addr`, so this client also listens.
/// Blocking sockets, buffers made once: nothing here allocates per round trip, so every
/// allocation counted is the node's.
final class DskitPingClient {
    private let listener: Int32
    private var nodeAddress = sockaddr_in()
    private let frame: ReceivedPacket
    private var reply = [UInt8](repeating: 0, count: 65_536)

    /// A listener on 127.0.0.1:`listenPort` (the address the frames advertise) and a
    /// dskit frame of `ping` (encoded once) for the node at 127.0.0.1:`nodePort`.
    init(nodePort: UInt16, listenPort: UInt16, ping: Ping) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw PingClient.Failure.socket("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        DskitPingClient.setTimeout(listener)
        var local = DskitPingClient.loopback(port: listenPort)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound, listen(listener, 128) == 0 else {
            close(listener)
            throw PingClient.Failure.socket("bind/listen: errno \(errno)")
        }
        self.listener = listener
        nodeAddress = DskitPingClient.loopback(port: nodePort)
        var message = WireBuffer(capacity: 1_400)
        Message.ping(ping).encode(into: &message)
        var framed = WireBuffer(capacity: 1_500)
        try DskitPacketFrame.encode(address: "127.0.0.1:\(listenPort)", payload: message.bytes, into: &framed)
        frame = ReceivedPacket(framed.bytes)
    }

    deinit { close(listener) }

    /// One ping connection out, one ack connection in; returns the ack frame's length.
    @discardableResult
    func roundTrip() throws -> Int {
        try sendPing()
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { throw PingClient.Failure.noAck("accept: errno \(errno)") }
        defer { close(connection) }
        var length = 0
        while true {
            let received = reply.withUnsafeMutableBytes { buffer in
                recv(connection, buffer.baseAddress.map { $0 + length }, buffer.count - length, 0)
            }
            if received == 0 { break }
            guard received > 0, length + received < reply.count else {
                throw PingClient.Failure.noAck("recv: errno \(errno)")
            }
            length += received
        }
        return length
    }

    /// Connects, sends the frame, half-closes, and waits for the node to close its side
    /// (it has read the packet by then). Closing with SO_LINGER 0 afterwards avoids a
    /// TIME_WAIT per ping on the client side; nothing unread can be lost at that point.
    private func sendPing() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PingClient.Failure.socket("socket: errno \(errno)") }
        defer {
            var abort = linger(l_onoff: 1, l_linger: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
            close(descriptor)
        }
        DskitPingClient.setTimeout(descriptor)
        let connected = withUnsafePointer(to: &nodeAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw PingClient.Failure.socket("connect: errno \(errno)") }
        guard send(descriptor, frame.bytes.baseAddress, frame.bytes.count, 0) == frame.bytes.count else {
            throw PingClient.Failure.socket("send: errno \(errno)")
        }
        shutdown(descriptor, Int32(SHUT_WR))
        var byte: UInt8 = 0
        guard recv(descriptor, &byte, 1, 0) == 0 else { throw PingClient.Failure.socket("node did not close") }
    }

    /// The messages of the last ack frame (allocates; for checking, not for measuring).
    func lastReply(length: Int) throws -> [Message] {
        let view = try reply.withUnsafeBytes { try DskitPacketFrame.decode(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        guard view.digestMatches else { throw PingClient.Failure.noAck("ack frame MD5 mismatch") }
        return try PacketDecoder.decodeAll(Array(view.payload), security: PacketSecurity())
    }

    /// A lost connection must not hang the benchmark: give up after one second.
    private static func setTimeout(_ descriptor: Int32) {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
