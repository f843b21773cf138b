import Glibc
import Wire

/// A plain UDP socket on 127.0.0.1 that plays a peer probing the node: it sends one
/// ping packet and blocks until the ack comes back (memberlist-wire.md §7.1). It
/// allocates nothing per round trip, so every allocation counted is the node's.
final class PingClient {
    let descriptor: Int32
    private let packet: ReceivedPacket
    private var reply = [UInt8](repeating: 0, count: 65_536)

    enum Failure: Error { case socket(String), noAck(String) }

    /// A socket that sends `ping` (encoded once) to 127.0.0.1:`port`.
    init(pingingPort port: UInt16, ping: Ping) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.socket("socket: errno \(errno)") }
        // A lost datagram must not hang the benchmark: give up after one second.
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = LoopbackSockets.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure.socket("connect: errno \(errno)")
        }
        self.descriptor = descriptor
        var encoded = WireBuffer(capacity: 1_400)
        Message.ping(ping).encode(into: &encoded)
        packet = ReceivedPacket(encoded.bytes)
    }

    deinit { close(descriptor) }

    /// One ping out, one datagram back; returns the reply's length.
    @discardableResult
    func roundTrip() throws -> Int {
        guard send(descriptor, packet.bytes.baseAddress, packet.bytes.count, 0) == packet.bytes.count else {
            throw Failure.socket("send: errno \(errno)")
        }
        let received = reply.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { throw Failure.noAck("recv: errno \(errno)") }
        return received
    }

    /// The messages of the last reply (allocates; for checking, not for measuring).
    func lastReply(length: Int) throws -> [Message] {
        try PacketDecoder.decodeAll(Array(reply[0..<length]), security: PacketSecurity())
    }
}

/// Bytes in one manually allocated block, read without a closure per send.
final class ReceivedPacket {
    let bytes: UnsafeRawBufferPointer

    init(_ contents: [UInt8]) {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(contents.count, 1), alignment: 16)
        block.copyBytes(from: contents)
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(block)[0..<contents.count])
    }

    deinit { bytes.deallocate() }
}

/// A port the kernel just handed out for both TCP and UDP on 127.0.0.1 (the node binds both).
func freeLoopbackPort() throws -> UInt16 {
    for _ in 0..<20 {
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(tcp) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(tcp, pointer, length) == 0 && getsockname(tcp, pointer, &length) == 0
            }
        }
        guard bound else { continue }
        let port = UInt16(bigEndian: address.sin_port)
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(udp) }
        let udpBound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, length) == 0 }
        }
        if udpBound { return port }
    }
    throw PingClient.Failure.socket("no free loopback port")
}
