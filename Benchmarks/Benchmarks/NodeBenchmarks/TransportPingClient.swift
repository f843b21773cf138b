import Config
import EventLoop
import Glibc
import Transport
import Wire

/// Plays a second memberlistd node with memberlistd's own dskit transport (`DskitTransport`
/// on its own loop thread): per round trip it sends a ping packet to the node and waits for
/// the node's ack. With TLS between two memberlistd transports both directions run on
/// persistent connections once established (issue 14): the ping on this transport's link
/// to the node, the ack on the node's link back. Without TLS each packet is dskit's
/// connection per packet, both ways.
///
/// The benchmark thread and the client's loop hand over through a SOCK_SEQPACKET
/// socketpair: one byte asks for a ping, the ack's bytes come back as one message. Nothing
/// is allocated per round trip on either side of it, so the process-wide malloc count is
/// the node's and the client transport's together.
final class TransportPingClient {
    private let handle: EventLoopHandle
    private let benchmarkEnd: Int32
    private var reply = [UInt8](repeating: 0, count: 65_536)

    enum Failure: Error { case setup(String) }

    /// A transport bound to 127.0.0.1:`listenPort` (with `tls`, or plain) that pings the
    /// node at 127.0.0.1:`nodePort`.
    init(nodePort: UInt16, listenPort: UInt16, tls: TLSSettings) async throws {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0 else {
            throw Failure.setup("socketpair: errno \(errno)")
        }
        benchmarkEnd = pair[0]
        LoopbackSockets.setReceiveTimeout(benchmarkEnd)
        let loopEnd = pair[1]
        _ = fcntl(loopEnd, F_SETFL, fcntl(loopEnd, F_GETFL) | O_NONBLOCK)
        handle = try EventLoop.startThread(name: "bench-client")
        var encoded = WireBuffer(capacity: 1_400)
        Message.ping(benchmarkPing).encode(into: &encoded)
        let ping = encoded.bytes
        let configuration = DskitTransportConfiguration(
            bindAddresses: [IPAddress(127, 0, 0, 1)], bindPort: Int(listenPort),
            advertiseAddress: IPAddress(127, 0, 0, 1), advertisePort: Int(listenPort), tls: tls)
        try await handle.submit { loop in
            guard let destination = SocketAddress(ip: "127.0.0.1", port: nodePort) else {
                throw Failure.setup("node address")
            }
            let transport = try DskitTransport(loop: loop, configuration: configuration)
            // One buffer for the acks, kept by the closure (allocated once, here).
            var ack = [UInt8](repeating: 0, count: 65_536)
            transport.onPacket = { packet in
                let count = min(packet.bytes.count, ack.count)
                ack.withUnsafeMutableBytes { buffer in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: packet.bytes[0..<count]))
                    _ = send(loopEnd, buffer.baseAddress, count, Int32(MSG_NOSIGNAL))
                }
            }
            // The watch holds the transport; the loop drops both when it stops.
            _ = try loop.watch(loopEnd, interest: .read) { _ in
                var request: UInt8 = 0
                while recv(loopEnd, &request, 1, 0) == 1 {
                    ping.withUnsafeBytes { transport.sendPacket($0, to: destination) }
                }
            }
        }
    }

    /// Stops the client's loop (its transport and connections close) and the socketpair.
    func stop() {
        handle.stop()
        handle.join()
        close(benchmarkEnd)
    }

    /// One ping out through the client transport, the node's ack back; returns its length.
    @discardableResult
    func roundTrip() throws -> Int {
        var request: UInt8 = 1
        guard send(benchmarkEnd, &request, 1, Int32(MSG_NOSIGNAL)) == 1 else {
            throw PingClient.Failure.socket("send: errno \(errno)")
        }
        let received = reply.withUnsafeMutableBytes { recv(benchmarkEnd, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { throw PingClient.Failure.noAck("recv: errno \(errno)") }
        return received
    }

    /// The messages of the last ack (allocates; for checking, not for measuring).
    func lastReply(length: Int) throws -> [Message] {
        try PacketDecoder.decodeAll(Array(reply[0..<length]), security: PacketSecurity())
    }
}
