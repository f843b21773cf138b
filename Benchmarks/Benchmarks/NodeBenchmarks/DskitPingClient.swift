import Glibc
import Wire

/// Plays a dskit peer probing the node over dskit's TCP transport (dskit-kv-ring.md §1):
/// each ping is its own TCP connection carrying `01 N addr ping md5`, and the node's ack
/// arrives on a NEW connection that the node dials to `addr`, so this client also listens.
/// Blocking sockets, buffers made once: nothing here allocates per round trip, so every
/// allocation counted is the node's.
final class DskitPingClient {
    private let listener: Int32
    private let nodeAddress: sockaddr_in
    private let frame: ReceivedPacket
    private var reply = [UInt8](repeating: 0, count: 65_536)

    /// A listener on 127.0.0.1:`listenPort` (the address the frames advertise) and a
    /// dskit frame of `ping` (encoded once) for the node at 127.0.0.1:`nodePort`.
    init(nodePort: UInt16, listenPort: UInt16, ping: Ping) throws {
        frame = try LoopbackSockets.dskitPingFrame(ping, sourcePort: listenPort)
        nodeAddress = LoopbackSockets.address(port: nodePort)
        listener = try LoopbackSockets.listen(port: listenPort)
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
    /// (it has read the packet by then); the close then resets (see `LoopbackSockets`).
    private func sendPing() throws {
        let descriptor = try LoopbackSockets.connectAbortingOnClose(to: nodeAddress)
        defer { close(descriptor) }
        guard send(descriptor, frame.bytes.baseAddress, frame.bytes.count, 0) == frame.bytes.count else {
            throw PingClient.Failure.socket("send: errno \(errno)")
        }
        shutdown(descriptor, Int32(SHUT_WR))
        var byte: UInt8 = 0
        guard recv(descriptor, &byte, 1, 0) == 0 else { throw PingClient.Failure.socket("node did not close") }
    }

    /// The messages of the last ack frame (allocates; for checking, not for measuring).
    func lastReply(length: Int) throws -> [Message] {
        try LoopbackSockets.dskitReply(reply, length: length)
    }
}
