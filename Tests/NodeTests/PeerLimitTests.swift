import Config
import Glibc
import Testing
import Wire
@testable import Node

/// Limits a peer pushes against, through real sockets to a running node (issue #12): a
/// packet may inflate only to what a sender on its transport could have built; the
/// drop is counted under "inflation" and the node keeps taking ordinary packets;
/// idle inbound streams are capped in number.
@Suite(.serialized) struct PeerLimitTests {
    /// A node on 127.0.0.1 with a kernel-chosen port, and that port.
    static func startNode(transport: String, _ adjust: (inout NodeConfig) -> Void = { _ in }) async throws -> (NodeHandle, UInt16) {
        var config = try NodeConfig.parse([
            "-memberlist.transport=\(transport)", "-memberlist.bind-addr=127.0.0.1", "-memberlist.bind-port=0",
            "-memberlist.nodename=target", "-memberlist.randomize-node-name=false",
        ])
        adjust(&config)
        let node = try await NodeHandle.start(config, logger: Logger(level: .error))
        let port = try #require(node.advertisedAddress.split(separator: ":").last.flatMap { UInt16($0) })
        return (node, port)
    }

    /// Polls the node's counters until `fact` holds (10 s at most).
    static func waitFor(_ node: NodeHandle, _ what: String, _ fact: (NodeCounters) -> Bool) async throws -> NodeCounters {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(10))
        while true {
            let counters = await node.counters()
            if fact(counters) { return counters }
            guard clock.now < deadline else {
                Issue.record("timed out waiting for \(what); counters: \(counters)")
                return counters
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// `09 {Algo, Buf}` holding a user message of `zeros` zero bytes.
    static func compressedUser(zeros: Int, algorithm: CompressionAlgorithm) -> [UInt8] {
        let plain = [MessageType.user.rawValue] + [UInt8](repeating: 0, count: zeros)
        var out = WireBuffer()
        out.append(MessageType.compress.rawValue)
        CompressedPayload(algorithm: algorithm.rawValue, buffer: Compressor.compress(algorithm: algorithm, plain)).encode(into: &out)
        return out.bytes
    }

    @Test func udpPacketInflatingPastADatagramIsDropped() async throws {
        let (node, port) = try await Self.startNode(transport: "udp")
        // Two parts of 40 kB each: each would pass alone, together they exceed a datagram.
        let part = Self.compressedUser(zeros: 40_000, algorithm: .lzw)
        var bomb: [UInt8] = [MessageType.compound.rawValue, 2]
        for _ in 0..<2 { bomb += [UInt8(part.count >> 8), UInt8(part.count & 0xff)] }
        bomb += part + part
        try LoopbackSocket.sendDatagram(bomb, toPort: port)
        let dropped = try await Self.waitFor(node, "the bomb dropped") { $0.packetsDropped["inflation"] == 1 }
        #expect(dropped.packetsReceived == 0)
        // An ordinary compressed packet right after is taken.
        try LoopbackSocket.sendDatagram(Self.compressedUser(zeros: 1_000, algorithm: .lzw), toPort: port)
        let after = try await Self.waitFor(node, "the ordinary packet") { $0.packetsReceived == 1 }
        #expect(after.packetsDropped["inflation"] == 1)
        await node.shutdown()
    }

    @Test func dskitPacketInflatingPastThePacketLimitIsDropped() async throws {
        let (node, port) = try await Self.startNode(transport: "tcp")
        // 11 MiB of plain bytes: more than dskit's 10 MiB packet budget (plus framing headroom).
        // Snappy keeps the test fast in debug builds; LZW takes the same path (InflationLimitTests).
        let bomb = Self.compressedUser(zeros: 11 * 1024 * 1024, algorithm: .snappy)
        var frame = WireBuffer()
        try DskitPacketFrame.encode(address: "127.0.0.1:9", payload: bomb, into: &frame)
        try LoopbackSocket.sendConnection(frame.bytes, toPort: port)
        _ = try await Self.waitFor(node, "the bomb dropped") { $0.packetsDropped["inflation"] == 1 }
        var ordinary = WireBuffer()
        try DskitPacketFrame.encode(address: "127.0.0.1:9", payload: Self.compressedUser(zeros: 1_000, algorithm: .lzw),
                                    into: &ordinary)
        try LoopbackSocket.sendConnection(ordinary.bytes, toPort: port)
        let after = try await Self.waitFor(node, "the ordinary packet") { $0.packetsReceived == 1 }
        #expect(after.packetsDropped["inflation"] == 1)
        await node.shutdown()
    }

    @Test func broadcastStormKeepsTheRelayQueueBounded() async throws {
        // A node with no peers relays every new user message it hears, and nothing drains
        // its queue: a storm of distinct messages must stop at the queue's bounds.
        let (node, port) = try await Self.startNode(transport: "udp") { config in
            config.membership.maxQueuedUserBroadcasts = 200
            config.membership.maxQueuedUserBroadcastBytes = 100 * 1024
        }
        var counters = NodeCounters()
        for batch in 0..<6 {
            // 1,000-byte user messages, each distinct; in batches of 50 that the node has
            // taken in before the next, so the socket's receive buffer never overflows.
            for index in (batch * 50)..<(batch * 50 + 50) {
                let payload = [MessageType.user.rawValue, UInt8(index >> 8), UInt8(index & 0xff)] + [UInt8](repeating: 7, count: 998)
                try LoopbackSocket.sendDatagram(payload, toPort: port)
            }
            counters = try await Self.waitFor(node, "batch \(batch) taken in") { $0.packetsReceived == batch * 50 + 50 }
        }
        #expect(counters.userBroadcastBytesQueued <= 100 * 1024)
        #expect(counters.userBroadcastsQueued <= 200)
        #expect(counters.userBroadcastsQueued + counters.userBroadcastsDropped == 300)
        #expect(counters.userBroadcastsDropped >= 198)
        await node.shutdown()
    }

    @Test func inboundStreamsBeyondTheCapAreRefused() async throws {
        let (node, port) = try await Self.startNode(transport: "udp")
        // Idle streams that never send a request (a slowloris): the node holds at most
        // `maxInboundStreams` of them open and closes the rest unanswered.
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        for _ in 0..<(GossipNode.maxInboundStreams + 3) { sockets.append(try LoopbackSocket.open(toPort: port)) }
        let counters = try await Self.waitFor(node, "3 refused streams") { $0.streamsRefused == 3 }
        #expect(counters.streamsRefused == 3)
        await node.shutdown()
    }
}

/// Plain Glibc sockets to 127.0.0.1, as a remote peer would use them.
enum LoopbackSocket {
    struct Failure: Error { let call: String; let code: Int32 }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    static func sendDatagram(_ bytes: [UInt8], toPort port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(call: "socket", code: errno) }
        defer { close(fd) }
        var address = loopback(port: port)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard sent == bytes.count else { throw Failure(call: "sendto", code: errno) }
    }

    /// A connected TCP socket; the caller closes it.
    static func open(toPort port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(call: "socket", code: errno) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw Failure(call: "connect", code: code)
        }
        return fd
    }

    /// Connects, writes everything, closes (a dskit packet connection).
    static func sendConnection(_ bytes: [UInt8], toPort port: UInt16) throws {
        let fd = try open(toPort: port)
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure(call: "write", code: errno) }
            offset += written
        }
    }
}
