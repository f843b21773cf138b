import Config
import Glibc
import NetworkTestSupport
import Testing
import Transport
import Wire
@testable import Node

/// Limits a peer pushes against, through real sockets to a running node (issue #12): a
/// packet may inflate only to what a sender on its transport could have built; the
/// drop is counted under "inflation" and the node keeps taking ordinary packets;
/// idle inbound streams are capped in number; a TLS slowloris is cut at the handshake
/// timeout while other peers are served; bad labels and over-long node names are
/// counted drops; push/pull headers, reliable user messages and encrypted stream frames
/// over the limits, and slow push/pull senders, are refused and counted; a plain-TCP
/// slowloris from one address holds at most its share of the dskit packet slots. Every case ends with the node still taking ordinary input.
@Suite(.serialized) struct PeerLimitTests {
    /// A node on 127.0.0.1 with a kernel-chosen port, and that port.
    static func startNode(transport: String, name: String = "target", flags: [String] = [],
                          _ adjust: (inout NodeConfig) -> Void = { _ in }) async throws -> (NodeHandle, UInt16) {
        var config = try NodeConfig.parse([
            "-memberlist.transport=\(transport)", "-memberlist.bind-addr=127.0.0.1", "-memberlist.bind-port=0",
            "-memberlist.nodename=\(name)", "-memberlist.randomize-node-name=false",
        ] + flags)
        adjust(&config)
        let node = try await NodeHandle.start(config, logger: Logger(level: .error))
        let port = try #require(node.advertisedAddress.split(separator: ":").last.flatMap { UInt16($0) })
        return (node, port)
    }

    /// Polls the node's counters until `fact` holds (10 s at most).
    static func waitFor(_ node: NodeHandle, _ what: String, _ fact: (NodeCounters) -> Bool) async throws -> NodeCounters {
        try await waitUntil(what, read: { await node.counters() }, fact)
    }

    /// Polls `read` until `fact` holds (`timeout` at most; a timeout is a recorded issue).
    static func waitUntil<Value>(_ what: String, timeout: Duration = .seconds(10), read: () async -> Value,
                                 _ fact: (Value) -> Bool) async throws -> Value {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let value = await read()
            if fact(value) { return value }
            guard clock.now < deadline else {
                Issue.record("timed out waiting for \(what); last: \(value)")
                return value
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

    /// `count` clients from 127.0.0.2, another source than the honest peer on 127.0.0.1,
    /// that each send `first` and then nothing: a slowloris on the dskit port.
    static func openSlowClients(_ count: Int, toPort port: UInt16, sending first: [UInt8]) throws -> [Int32] {
        var opened: [Int32] = []
        do {
            for _ in 0..<count {
                let fd = try LoopbackSocket.open(toPort: port, from: UInt32(0x7f00_0002))
                opened.append(fd)
                _ = try? LoopbackSocket.write(first, to: fd)
            }
        } catch {
            for fd in opened { close(fd) }
            throw error
        }
        return opened
    }

    /// `peer` joins `node` on `port` (a push/pull stream) and the two gossip: the node's
    /// loop keeps serving and ticking while slow clients hang.
    static func joinAndGossip(_ peer: NodeHandle, with node: NodeHandle, port: UInt16) async throws {
        let joined = await peer.join(["127.0.0.1:\(port)"])
        #expect(joined.successes == 1)
        let busy = try await waitFor(node, "gossip with the peer") { $0.packetsReceived >= 3 && $0.packetsSent >= 3 }
        #expect(busy.totalPacketsDropped == 0)
    }

    // MARK: TLS handshake slowloris

    @Test func tlsSlowlorisIsCutAtTheHandshakeTimeoutWhileOthersAreServed() async throws {
        let certs = try TestCertificates.load()
        let tls = ["-memberlist.tls-enabled", "-memberlist.tls-cert-path=\(certs.nodeCert)",
                   "-memberlist.tls-key-path=\(certs.nodeKey)", "-memberlist.tls-ca-path=\(certs.ca)",
                   "-memberlist.tls-server-name=memberlist-node"]
        let (node, port) = try await Self.startNode(transport: "tcp", flags: tls)
        let (peer, _) = try await Self.startNode(transport: "tcp", name: "peer", flags: tls)
        // Clients on another address (127.0.0.2) that start a TLS record (a ClientHello's
        // first bytes) and never finish it: up to the per-source bound they are held, the
        // rest are closed at accept.
        let defaults = DskitTransportConfiguration()
        let (handshakeTimeout, held) = (defaults.inboundPacketTimeout, defaults.maxPendingHandshakesPerSource)
        let clock = ContinuousClock()
        let opened = clock.now
        let slow = try Self.openSlowClients(held + 3, toPort: port, sending: [0x16, 0x03, 0x01])
        defer { for fd in slow { close(fd) } }
        let refused = try await Self.waitUntil("3 handshakes refused", read: { await node.transportCounters() }) {
            $0.inboundConnectionsDropped == 3
        }
        #expect(refused.acceptErrors == 0)
        // While they hang, another peer (127.0.0.1) joins over TLS and the two gossip.
        try await Self.joinAndGossip(peer, with: node, port: port)
        let during = await node.transportCounters()
        #expect(during.acceptErrors == 0, "slow handshakes closed before the handshake timeout")
        #expect(during.inboundConnectionsDropped == 3)
        #expect(during.tlsServerHandshakes >= 1)
        // Each held slow client is closed by the handshake timeout, counted as an accept error.
        let after = try await Self.waitUntil("slow handshakes closed", timeout: handshakeTimeout + .seconds(10),
                                             read: { await node.transportCounters() }) { $0.acceptErrors == held }
        #expect(after.acceptErrors == held)
        #expect(clock.now - opened >= handshakeTimeout)
        for fd in slow { #expect(LoopbackSocket.readUntilClosed(fd).isEmpty) }
        let members = await node.members().map(\.name).sorted()
        #expect(members == ["peer", "target"])
        await peer.shutdown()
        await node.shutdown()
    }

    // MARK: plain dskit slowloris

    @Test func plainSlowlorisFromOneSourceLeavesSlotsForOtherPeers() async throws {
        let (node, port) = try await Self.startNode(transport: "tcp")
        let (peer, _) = try await Self.startNode(transport: "tcp", name: "peer")
        // Clients on 127.0.0.2 that send a packet connection's marker and then nothing:
        // up to the per-source bound they hold slots, the rest are closed at accept.
        let defaults = DskitTransportConfiguration()
        let (timeout, held) = (defaults.inboundPacketTimeout, defaults.maxInboundPacketConnectionsPerSource)
        #expect(held < defaults.maxInboundPacketConnections)
        let clock = ContinuousClock()
        let opened = clock.now
        let slow = try Self.openSlowClients(held + 3, toPort: port, sending: [DskitConnectionKind.packet.rawValue])
        defer { for fd in slow { close(fd) } }
        let refused = try await Self.waitUntil("3 connections refused", read: { await node.transportCounters() }) {
            $0.inboundConnectionsDropped == 3
        }
        #expect(refused.packetsReceivedErrors == 0)
        // While they hang, a peer on 127.0.0.1 joins (a stream on the same port) and the
        // two gossip over packet connections: the free slots serve it.
        try await Self.joinAndGossip(peer, with: node, port: port)
        #expect(await node.transportCounters().inboundConnectionsDropped == 3)
        // Each held connection is cut at the packet deadline, an unfinished packet counted
        // as a receive error.
        let after = try await Self.waitUntil("slow connections closed", timeout: timeout + .seconds(10),
                                             read: { await node.transportCounters() }) { $0.packetsReceivedErrors == held }
        #expect(after.packetsReceivedErrors == held)
        #expect(clock.now - opened >= timeout)
        for fd in slow { #expect(LoopbackSocket.readUntilClosed(fd).isEmpty) }
        #expect(await node.members().map(\.name).sorted() == ["peer", "target"])
        await peer.shutdown()
        await node.shutdown()
    }

    // MARK: stream frames over their limits

    @Test func streamUserMessageAndEncryptedFrameOverTheirLimitsAreRefused() async throws {
        let (plain, plainPort) = try await Self.startNode(transport: "udp")
        // `08 {UserMsgLen}`: a reliable user message announcing one byte more than allowed
        // is refused at its header; nothing after it is waited for.
        var user = WireBuffer()
        user.append(MessageType.user.rawValue)
        UserMessageHeader(userMessageLength: WireLimits.maxUserMessageLength + 1).encode(into: &user)
        _ = try LoopbackSocket.exchange(user.bytes, toPort: plainPort, finish: false)
        _ = try await Self.waitFor(plain, "the user message refused") { $0.streamsFailed["malformed"] == 1 }
        try LoopbackSocket.sendDatagram(Self.userPacket, toPort: plainPort)
        _ = try await Self.waitFor(plain, "a packet after the stream") { $0.packetsReceived == 1 }
        await plain.shutdown()

        // `0a` + a 4-byte length: an encrypted frame longer than allowed is refused at its
        // length, before any ciphertext is buffered.
        let (sealed, sealedPort) = try await Self.startNode(transport: "udp", name: "sealed") {
            $0.membership.secretKeys = [[UInt8](repeating: 7, count: 16)]
        }
        let length = WireLimits.maxEncryptedStreamLength + 1
        let frame: [UInt8] = [MessageType.encrypt.rawValue, UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff),
                              UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        _ = try LoopbackSocket.exchange(frame, toPort: sealedPort, finish: false)
        let counters = try await Self.waitFor(sealed, "the encrypted frame refused") { $0.streamsFailed["malformed"] == 1 }
        #expect(counters.streamsFailed.count == 1)
        await sealed.shutdown()
    }

    // MARK: labels and node names at the socket

    /// `08 raw`: a user message packet.
    static let userPacket: [UInt8] = [MessageType.user.rawValue, 1, 2, 3]

    @Test func packetsAndStreamsWithABadClusterLabelAreCountedAsLabel() async throws {
        let (node, port) = try await Self.startNode(transport: "udp", flags: ["-memberlist.cluster-label=alpha"])
        let label = MessageType.hasLabel.rawValue
        let longest = [UInt8](repeating: UInt8(ascii: "x"), count: LabelHeader.maxLength)
        let bad: [[UInt8]] = [
            [label, 0] + Self.userPacket,                                     // empty label
            [label, 0xff] + [UInt8](repeating: 1, count: 100),                // declares 255 bytes, 100 follow
            [label, 5] + Array("bravo".utf8) + Self.userPacket,               // another cluster
            [label, UInt8(LabelHeader.maxLength)] + longest + Self.userPacket, // longest label, not ours
            Self.userPacket,                                                  // no label
        ]
        for packet in bad { try LoopbackSocket.sendDatagram(packet, toPort: port) }
        _ = try await Self.waitFor(node, "bad labels dropped") { $0.packetsDropped["label"] == bad.count }
        try LoopbackSocket.sendDatagram([label, 5] + Array("alpha".utf8) + Self.userPacket, toPort: port)
        let taken = try await Self.waitFor(node, "the labelled packet") { $0.packetsReceived == 1 }
        #expect(taken.totalPacketsDropped == bad.count)
        // A stream whose label is another cluster's: refused with errResp, counted as "label".
        var stream = WireBuffer()
        try StreamEncoder.encode(.user([1, 2, 3]), security: PacketSecurity(label: Array("bravo".utf8)), writeLabel: true,
                                 into: &stream)
        let reply = try LoopbackSocket.exchange(stream.bytes, toPort: port)
        #expect(try Self.isErrorReply(reply))
        let counted = try await Self.waitFor(node, "the foreign stream") { $0.streamsFailed["label"] == 1 }
        #expect(counted.streamsFailed.values.reduce(0, +) == 1)
        await node.shutdown()
    }

    /// Whether a stream reply (compressed, as the node sends by default) is an errResp.
    static func isErrorReply(_ bytes: [UInt8]) throws -> Bool {
        var decoder = StreamDecoder(security: PacketSecurity(), acceptedStream: false)
        let reply = try bytes.withUnsafeBytes { (raw) throws(StreamError) in try decoder.decode(raw) }
        guard case .error? = reply?.message else { return false }
        return true
    }

    /// `04 alive` about `name` at 127.0.0.1:`port`.
    static func alivePacket(name: String, port: UInt16 = 9) -> [UInt8] {
        var out = WireBuffer()
        Message.alive(Alive(incarnation: 1, node: name, addr: IPAddress(127, 0, 0, 1), port: port, meta: nil,
                            vsn: [1, 5, 2, 0, 0, 0])).encode(into: &out)
        return out.bytes
    }

    @Test func aliveWithAnOverlongNodeNameIsDropped() async throws {
        let (node, port) = try await Self.startNode(transport: "udp")
        let longest = String(repeating: "n", count: WireLimits.maxNodeNameLength)
        try LoopbackSocket.sendDatagram(Self.alivePacket(name: longest + "n"), toPort: port)
        let dropped = try await Self.waitFor(node, "the over-long name dropped") { $0.packetsDropped["malformed"] == 1 }
        #expect(dropped.packetsReceived == 0)
        // Inside a compound, only that part is dropped.
        let part = Self.alivePacket(name: longest + "n")
        var compound: [UInt8] = [MessageType.compound.rawValue, 2]
        for length in [part.count, Self.userPacket.count] { compound += [UInt8(length >> 8), UInt8(length & 0xff)] }
        try LoopbackSocket.sendDatagram(compound + part + Self.userPacket, toPort: port)
        _ = try await Self.waitFor(node, "the compound part dropped") { $0.compoundPartsDropped == 1 && $0.packetsReceived == 1 }
        // The longest allowed name, and a name that is not UTF-8 (repaired as Go strings are
        // read), are members.
        try LoopbackSocket.sendDatagram(Self.alivePacket(name: longest), toPort: port)
        var invalid = Self.alivePacket(name: "peer-AAAA", port: 10)
        let marker = Array("AAAA".utf8)
        let at = try #require((0...(invalid.count - marker.count)).first { Array(invalid[$0..<($0 + marker.count)]) == marker })
        invalid.replaceSubrange(at..<(at + 2), with: [0xff, 0xfe])
        try LoopbackSocket.sendDatagram(invalid, toPort: port)
        let after = try await Self.waitFor(node, "two more alives") { $0.packetsReceived == 3 }
        #expect(after.packetsDropped["malformed"] == 1)
        let names = await node.members().map(\.name)
        #expect(names.count == 3)
        #expect(names.contains(longest))
        #expect(names.contains("peer-\u{FFFD}\u{FFFD}AA"))
        #expect(names.allSatisfy { $0.utf8.count <= WireLimits.maxNodeNameLength })
        await node.shutdown()
    }

    // MARK: push/pull end to end

    /// `06 {Join, Nodes, UserStateLen}`: a push/pull request's header alone.
    static func pushPullHeader(nodes: Int, userStateLength: Int) -> [UInt8] {
        var out = WireBuffer()
        out.append(MessageType.pushPull.rawValue)
        PushPullHeader(nodes: nodes, userStateLength: userStateLength, join: false).encode(into: &out)
        return out.bytes
    }

    @Test func pushPullOverItsLimitsIsRefusedAtTheHeader() async throws {
        let (node, port) = try await Self.startNode(transport: "udp")
        // The header alone is refused: no node state is waited for.
        let tooMany = try LoopbackSocket.exchange(
            Self.pushPullHeader(nodes: WireLimits.maxPushPullNodes + 1, userStateLength: 0), toPort: port, finish: false)
        #expect(try Self.isErrorReply(tooMany))
        let tooLarge = try LoopbackSocket.exchange(
            Self.pushPullHeader(nodes: 0, userStateLength: WireLimits.maxUserStateLength + 1), toPort: port, finish: false)
        #expect(try Self.isErrorReply(tooLarge))
        let counters = try await Self.waitFor(node, "both refused") { $0.streamsFailed["malformed"] == 2 }
        #expect(counters.streamsFailed.count == 1)
        // At the limits exactly, the header is accepted and the node waits for the nodes it
        // announced: a sender that stops there is counted as truncated, not refused.
        let fd = try LoopbackSocket.open(toPort: port)
        defer { close(fd) }
        try LoopbackSocket.write(Self.pushPullHeader(nodes: WireLimits.maxPushPullNodes,
                                                     userStateLength: WireLimits.maxUserStateLength), to: fd)
        shutdown(fd, Int32(SHUT_WR))
        let truncated = try await Self.waitFor(node, "the header at the limits") { $0.streamsFailed["truncated"] == 1 }
        #expect(truncated.streamsFailed["malformed"] == 2)
        try LoopbackSocket.sendDatagram(Self.userPacket, toPort: port)
        _ = try await Self.waitFor(node, "a packet after the streams") { $0.packetsReceived == 1 }
        await node.shutdown()
    }

    @Test func slowPushPullSenderIsClosedAtTheStreamDeadline() async throws {
        let timeout = Duration.milliseconds(500)
        let (node, port) = try await Self.startNode(transport: "udp") { $0.membership.tcpTimeout = timeout }
        // Announces one node, then trickles its state a byte at a time: the stream's
        // deadline is for the whole request, so arriving bytes do not extend it.
        let fd = try LoopbackSocket.open(toPort: port)
        defer { close(fd) }
        var state = WireBuffer()
        PushNodeState(name: "slow", addr: IPAddress(127, 0, 0, 1), port: 9, meta: nil, incarnation: 1, state: .alive,
                      vsn: [1, 5, 2, 0, 0, 0]).encode(into: &state)
        let clock = ContinuousClock()
        let start = clock.now
        try LoopbackSocket.write(Self.pushPullHeader(nodes: 1, userStateLength: 0), to: fd)
        var sent = 0
        var counters = await node.counters()
        while counters.streamsFailed["transport"] != 1, clock.now - start < timeout * 20 {
            if sent < state.bytes.count - 1, (try? LoopbackSocket.write([state.bytes[sent]], to: fd)) != nil { sent += 1 }
            try await Task.sleep(for: .milliseconds(20))
            counters = await node.counters()
        }
        #expect(counters.streamsFailed["transport"] == 1)
        #expect(clock.now - start >= timeout)
        #expect(sent > 0)
        #expect(LoopbackSocket.readUntilClosed(fd).isEmpty)
        let members = await node.members()
        #expect(members.count == 1)
        try LoopbackSocket.sendDatagram(Self.userPacket, toPort: port)
        _ = try await Self.waitFor(node, "a packet after the slow stream") { $0.packetsReceived == 1 }
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

    /// A connected TCP socket, from `source` (an IPv4 address in host order, 127.0.0.1
    /// by default); the caller closes it.
    static func open(toPort port: UInt16, from source: UInt32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(call: "socket", code: errno) }
        if let source {
            var local = loopback(port: 0)
            local.sin_addr.s_addr = source.bigEndian
            let bound = withUnsafePointer(to: &local) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw Failure(call: "bind", code: code)
            }
        }
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

    /// Writes everything (no SIGPIPE: a closed peer is an error).
    static func write(_ bytes: [UInt8], to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(call: "send", code: errno) }
            offset += written
        }
    }

    /// Reads until the node closes (EOF or reset; 10 s at most) and returns what arrived.
    static func readUntilClosed(_ fd: Int32) -> [UInt8] {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return received }
            received += chunk[0..<count]
        }
    }

    /// Opens a stream, writes `bytes` (then half-closes unless `finish` is false) and
    /// returns the node's whole reply.
    static func exchange(_ bytes: [UInt8], toPort port: UInt16, finish: Bool = true) throws -> [UInt8] {
        let fd = try open(toPort: port)
        defer { close(fd) }
        try write(bytes, to: fd)
        if finish { shutdown(fd, Int32(SHUT_WR)) }
        return readUntilClosed(fd)
    }

    /// Connects, writes everything, closes (a dskit packet connection).
    static func sendConnection(_ bytes: [UInt8], toPort port: UInt16) throws {
        let fd = try open(toPort: port)
        defer { close(fd) }
        try write(bytes, to: fd)
    }
}
