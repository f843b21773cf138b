import Config
import EventLoop
import Glibc
import Testing
@testable import Transport
import Wire

func dskitConfiguration(
    ip: String = "127.0.0.1", tls: TLSSettings = TLSSettings()
) -> DskitTransportConfiguration {
    DskitTransportConfiguration(bindAddresses: [IPAddress(parsing: ip) ?? IPAddress()], bindPort: 0, tls: tls)
}

/// dskit's TCP transport on loopback (dskit-kv-ring.md §1).
@Suite struct DskitTransportTests {
    struct PacketExchange: Sendable {
        var atB: [UInt8]
        var sourceAtB: SocketAddress
        var atA: [UInt8]
        var sourceAtA: SocketAddress
        var advertisedA: SocketAddress
        var advertisedB: SocketAddress
        var countersA: TransportCounters
        var countersB: TransportCounters
    }

    /// A packet from A reaches B with A's advertised address as source (not the
    /// ephemeral TCP port); B answers to that source and A gets it.
    @Test(arguments: ["127.0.0.1", "::1"])
    func packetsCarryTheSendersAdvertisedAddress(ip: String) async throws {
        let result = try await onFreshLoop { (loop, keep, finish: @escaping (PacketExchange) -> Void) in
            let a = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(ip: ip)))
            let b = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(ip: ip)))
            var atB: ([UInt8], SocketAddress)?
            b.onPacket = { [unowned b] packet in
                atB = ([UInt8](packet.bytes), packet.source)
                b.send(pattern(3000, seed: 2), to: packet.source)
            }
            a.onPacket = { [unowned a, unowned b] packet in
                guard let (bytes, source) = atB else { return }
                let reply = [UInt8](packet.bytes)
                let replySource = packet.source
                // Counters settle once the writer saw its frame flushed.
                whenTrue(loop, { b.counters.packetsSent == 1 && a.counters.packetsSent == 1 }) {
                    finish(PacketExchange(
                        atB: bytes, sourceAtB: source, atA: reply, sourceAtA: replySource,
                        advertisedA: a.advertisedAddress, advertisedB: b.advertisedAddress,
                        countersA: a.counters, countersB: b.counters))
                }
            }
            a.send(pattern(500, seed: 1), to: b.advertisedAddress)
        }
        #expect(result.atB == pattern(500, seed: 1))
        #expect(result.atA == pattern(3000, seed: 2))
        #expect(result.sourceAtB == result.advertisedA)
        #expect(result.sourceAtA == result.advertisedB)
        #expect(result.advertisedA.ipString == ip)
        #expect(result.countersA.packetsSent == 1)
        #expect(result.countersA.packetsSentBytes == 500)
        #expect(result.countersA.packetsReceived == 1)
        #expect(result.countersA.packetsReceivedBytes == 3000)
        #expect(result.countersB.packetsReceived == 1)
        #expect(result.countersB.packetsReceivedBytes == 500)
        #expect(result.countersB.packetsReceivedErrors == 0)
        let headerA = 2 + result.advertisedA.description.utf8.count + 16
        #expect(result.countersA.sentBytes == headerA + 500)
        #expect(result.countersB.receivedBytes == headerA + 500)
    }

    /// The exact bytes: `01 N addr payload md5(payload)`, checked with the
    /// RFC 1321 test-suite style vector md5("The quick brown fox jumps over the lazy dog").
    @Test func wireBytesAreMarkerLengthAddressPayloadDigest() async throws {
        let payload = Array("The quick brown fox jumps over the lazy dog".utf8)
        let (bytes, advertised) = try await onFreshLoop {
            (loop, keep, finish: @escaping (([UInt8], String)) -> Void) in
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration()))
            let advertised = sender.advertisedAddress.description
            let raw = keep(try loop.listenTCP(on: try address("127.0.0.1:0"), onAccept: { connection in
                keep(connection)
                var received: [UInt8] = []
                connection.onRead = { received.append(contentsOf: $0) }
                connection.onReadEOF = { finish((received, advertised)) }
            }))
            sender.send(payload, to: raw.localAddress)
        }
        let digest: [UInt8] = [0x9e, 0x10, 0x7d, 0x9d, 0x37, 0x2b, 0xb6, 0x82,
                               0x6b, 0xd8, 0x1d, 0x35, 0x42, 0xa4, 0x19, 0xd6]
        #expect(bytes == [0x01, UInt8(advertised.utf8.count)] + Array(advertised.utf8) + payload + digest)
    }

    /// An outbound stream starts with the `02` marker, then the node's bytes.
    @Test func outboundStreamStartsWithTheStreamMarker() async throws {
        let bytes = try await onFreshLoop { (loop, keep, finish: @escaping ([UInt8]) -> Void) in
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration()))
            let raw = keep(try loop.listenTCP(on: try address("127.0.0.1:0"), onAccept: { connection in
                keep(connection)
                var received: [UInt8] = []
                connection.onRead = { received.append(contentsOf: $0) }
                connection.onReadEOF = { finish(received) }
            }))
            sender.openStream(to: raw.localAddress, timeout: .seconds(5)) { result in
                guard case .success(let stream) = result else { return }
                keep(stream)
                try? stream.write(array: [0x06, 0x81, 0xA5])
                stream.finishWriting()
            }
        }
        #expect(bytes == [0x02, 0x06, 0x81, 0xA5])
    }

    struct RawOutcome: Sendable {
        var delivered: [[UInt8]] = []
        var sources: [SocketAddress] = []
        var counters = TransportCounters()
        var rawClientSawClose = false
    }

    /// A raw connection writes `bytes` to a dskit transport and half-closes;
    /// finishes when `settled` holds for the receiver's counters.
    func rawSend(
        _ bytes: [UInt8], configuration: DskitTransportConfiguration = dskitConfiguration(),
        until settled: @escaping @Sendable (TransportCounters, Bool) -> Bool
    ) async throws -> RawOutcome {
        try await onFreshLoop { (loop, keep, finish: @escaping (RawOutcome) -> Void) in
            let receiver = keep(try DskitTransport(loop: loop, configuration: configuration))
            var outcome = RawOutcome()
            receiver.onPacket = { packet in
                outcome.delivered.append([UInt8](packet.bytes))
                outcome.sources.append(packet.source)
            }
            loop.connectTCP(to: receiver.boundAddresses[0], timeout: .seconds(5)) { result in
                guard case .success(let connection) = result else {
                    Issue.record("raw connect failed: \(result)")
                    return
                }
                keep(connection)
                connection.onReadEOF = { outcome.rawClientSawClose = true }
                connection.onClose = { _ in outcome.rawClientSawClose = true }
                try? connection.write(array: bytes)
                connection.shutdownWrite()
            }
            whenTrue(loop, { [unowned receiver] in settled(receiver.counters, outcome.rawClientSawClose) }) {
                [unowned receiver] in
                outcome.counters = receiver.counters
                finish(outcome)
            }
        }
    }

    func frame(address: String, payload: [UInt8], digest: [UInt8]) -> [UInt8] {
        [0x01, UInt8(address.utf8.count)] + Array(address.utf8) + payload + digest
    }

    @Test func corruptedDigestIsCountedAndStillDelivered() async throws {
        let bytes = frame(address: "10.9.8.7:7946", payload: [8, 1, 2, 3], digest: [UInt8](repeating: 0xEE, count: 16))
        let outcome = try await rawSend(bytes) { counters, _ in counters.packetsReceived == 1 }
        #expect(outcome.delivered == [[8, 1, 2, 3]])
        #expect(outcome.sources.map(\.description) == ["10.9.8.7:7946"])
        #expect(outcome.counters.packetsReceivedErrors == 1)
    }

    @Test func fewerThanSixteenBytesAfterTheAddressIsAnErrorAndDropped() async throws {
        let bytes = [0x01, 13] + Array("10.9.8.7:7946".utf8) + [UInt8](repeating: 1, count: 15)
        let outcome = try await rawSend(bytes) { counters, _ in counters.packetsReceivedErrors == 1 }
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.counters.packetsReceived == 0)
    }

    @Test func unparseableHeaderAddressIsAnErrorAndDropped() async throws {
        let bytes = frame(address: "node-1:7946", payload: [1], digest: [UInt8](repeating: 0, count: 16))
        let outcome = try await rawSend(bytes) { counters, _ in counters.packetsReceivedErrors == 1 }
        #expect(outcome.delivered.isEmpty)
    }

    @Test func unknownFirstByteIsCountedAndClosed() async throws {
        let outcome = try await rawSend([0x07, 1, 2, 3]) { counters, closed in
            counters.unknownConnections == 1 && closed
        }
        #expect(outcome.rawClientSawClose)
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.counters.incomingStreams == 0)
    }

    @Test func packetAboveTheSizeCapIsDroppedAndCounted() async throws {
        var configuration = dskitConfiguration()
        configuration.maxPacketPayloadBytes = 1000
        let bytes = frame(address: "10.9.8.7:7946", payload: pattern(5000), digest: [UInt8](repeating: 0, count: 16))
        let outcome = try await rawSend(bytes, configuration: configuration) { counters, _ in
            counters.packetsReceivedTooLarge == 1
        }
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.counters.packetsReceivedErrors == 1)
    }

    /// A raw `02` connection whose first segment already carries stream bytes:
    /// the marker is consumed, the rest reaches the node.
    @Test func streamMarkerIsConsumedAndFollowingBytesKept() async throws {
        let received = try await onFreshLoop { (loop, keep, finish: @escaping ([UInt8]) -> Void) in
            let receiver = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration()))
            receiver.onStream = { stream in
                keep(stream)
                stream.readToEnd { finish($0) }
            }
            loop.connectTCP(to: receiver.boundAddresses[0], timeout: .seconds(5)) { result in
                guard case .success(let connection) = result else { return }
                keep(connection)
                try? connection.write(array: [0x02, 0x06, 0xAB, 0xCD])
                connection.shutdownWrite()
            }
        }
        #expect(received == [0x06, 0xAB, 0xCD])
    }

    @Test(arguments: [false, true])
    func streamsBothWays(clientIsA: Bool) async throws {
        let result = try await dskitStreamRoundTrip(clientIsA: clientIsA, tls: TLSSettings())
        #expect(result.requestAtServer == pattern(300_000, seed: 5))
        #expect(result.replyAtClient == pattern(2_000, seed: 6))
        #expect(result.clientCounters.outgoingStreams == 1)
        #expect(result.serverCounters.incomingStreams == 1)
        #expect(result.clientCounters.sentBytes == 1 + 300_000)
        #expect(result.serverCounters.receivedBytes == 1 + 300_000)
        #expect(result.tlsVersion == nil)
    }

    struct Saturation: Sendable {
        var counters: TransportCounters
        var loopTicks: Int
    }

    /// One writer (`max_concurrent_writes` 0 → 1) stuck on a peer that never
    /// reads: packets waiting longer than `acquire_writer_timeout` are dropped
    /// and counted, the stuck one ends at the write deadline as a send error,
    /// and the loop keeps running meanwhile.
    @Test func saturatedWritersDropAndCountWithoutBlocking() async throws {
        // A listening socket nobody accepts from: the kernel completes the
        // handshake and buffers some bytes, then the sender's writes stall.
        let listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listenFD >= 0)
        defer { close(listenFD) }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr("127.0.0.1")
        local.sin_port = 0
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        try #require(listen(listenFD, 8) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listenFD, $0, &length) }
        }
        let port = UInt16(bigEndian: local.sin_port)

        let result = try await onFreshLoop { (loop, keep, finish: @escaping (Saturation) -> Void) in
            var configuration = dskitConfiguration()
            configuration.maxConcurrentWrites = 0
            configuration.acquireWriterTimeout = .milliseconds(50)
            configuration.packetWriteTimeout = .milliseconds(1500)
            let sender = keep(try DskitTransport(loop: loop, configuration: configuration))
            let target = try address("127.0.0.1:\(port)")
            var ticks = 0
            func tick(_ loop: EventLoop) {
                ticks += 1
                loop.schedule(after: .milliseconds(20)) { tick($0) }
            }
            tick(loop)
            sender.send([UInt8](repeating: 0x5A, count: 32 * 1024 * 1024), to: target)
            for index in 0..<3 { sender.send([UInt8(index)], to: target) }
            whenTrue(loop, { [unowned sender] in
                sender.counters.packetsDropped == 3 && sender.counters.packetsSentErrors == 1
            }) { [unowned sender] in
                finish(Saturation(counters: sender.counters, loopTicks: ticks))
            }
        }
        #expect(result.counters.packetsDropped == 3)
        #expect(result.counters.packetsSentErrors == 1)
        #expect(result.counters.packetsSent == 0)
        #expect(result.loopTicks > 1)
    }

    /// One listener per `bind_addr`; port 0 is chosen by the first and reused.
    @Test func severalBindAddressesShareTheChosenPort() async throws {
        let (bound, advertised, deliveredVia6) = try await onFreshLoop {
            (loop, keep, finish: @escaping (([SocketAddress], SocketAddress, Bool)) -> Void) in
            let receiver = keep(try DskitTransport(loop: loop, configuration: DskitTransportConfiguration(
                bindAddresses: [IPAddress(127, 0, 0, 1), IPAddress(parsing: "::1") ?? IPAddress()], bindPort: 0)))
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(ip: "::1")))
            receiver.onPacket = { [unowned receiver] _ in
                finish((receiver.boundAddresses, receiver.advertisedAddress, true))
            }
            sender.send([9], to: receiver.boundAddresses[1])
        }
        #expect(bound.count == 2)
        #expect(bound[0].port == bound[1].port)
        #expect(bound[1].ipString == "::1")
        #expect(advertised == bound[0])
        #expect(deliveredVia6)
    }

    @Test func dialFailureIsCountedNotReported() async throws {
        let counters = try await onFreshLoop { (loop, keep, finish: @escaping (TransportCounters) -> Void) in
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration()))
            let gone = try DskitTransport(loop: loop, configuration: dskitConfiguration())
            let target = gone.advertisedAddress
            gone.shutdown()
            sender.send([1, 2, 3], to: target)
            whenTrue(loop, { [unowned sender] in sender.counters.packetsSentErrors == 1 }) { [unowned sender] in
                finish(sender.counters)
            }
        }
        #expect(counters.packetsSent == 0)
        #expect(counters.packetsDropped == 0)
    }
}

struct DskitStreamResult: Sendable {
    var requestAtServer: [UInt8]
    var replyAtClient: [UInt8]
    var clientCounters: TransportCounters
    var serverCounters: TransportCounters
    var tlsVersion: String?
}

/// Client opens a stream to the server, sends a request and half-closes; the
/// server reads it to the end, replies and finishes.
func dskitStreamRoundTrip(
    clientIsA: Bool, tls: TLSSettings
) async throws -> DskitStreamResult {
    try await onFreshLoop { loop, keep, finish in
        let a = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(tls: tls)))
        let b = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(tls: tls)))
        let (client, server) = clientIsA ? (a, b) : (b, a)
        var requestAtServer: [UInt8] = []
        server.onStream = { stream in
            keep(stream)
            stream.readToEnd { bytes in
                requestAtServer = bytes
                try? stream.write(array: pattern(2_000, seed: 6))
                stream.finishWriting()
            }
        }
        client.openStream(to: server.advertisedAddress, timeout: .seconds(5)) { result in
            guard case .success(let stream) = result else {
                Issue.record("openStream failed: \(result)")
                return
            }
            keep(stream)
            try? stream.write(array: pattern(300_000, seed: 5))
            stream.finishWriting()
            stream.readToEnd { [unowned client, unowned server, unowned stream] bytes in
                finish(DskitStreamResult(
                    requestAtServer: requestAtServer, replyAtClient: bytes,
                    clientCounters: client.counters, serverCounters: server.counters,
                    tlsVersion: stream.tlsProtocolVersion))
            }
        }
    }
}

/// The bound on plain-TCP inbound connections being read (`maxInboundPacketConnections`).
@Suite struct DskitInboundBoundTests {
    struct Outcome: Sendable {
        var counters: TransportCounters
        var delivered: [[UInt8]]
    }

    /// With one slot held by a connection that sends nothing, a second
    /// connection is closed at accept and counted; once the first ends, the
    /// same slot serves the next packet.
    @Test func connectionsBeyondTheBoundAreDroppedAndCountedThenTheSlotIsReused() async throws {
        let outcome = try await onFreshLoop { (loop, keep, finish: @escaping (Outcome) -> Void) in
            var configuration = dskitConfiguration()
            configuration.maxInboundPacketConnections = 1
            let receiver = keep(try DskitTransport(loop: loop, configuration: configuration))
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration()))
            var delivered: [[UInt8]] = []
            receiver.onPacket = { packet in delivered.append([UInt8](packet.bytes)) }
            loop.connectTCP(to: receiver.boundAddresses[0], timeout: .seconds(5)) { result in
                guard case .success(let idle) = result else {
                    Issue.record("connect failed: \(result)")
                    return
                }
                keep(idle)
                // The idle connection holds the only slot once accepted; then a packet arrives.
                loop.schedule(after: .milliseconds(100)) { _ in
                    sender.send([1, 2, 3], to: receiver.advertisedAddress)
                    whenTrue(loop, { [unowned receiver] in receiver.counters.inboundConnectionsDropped == 1 }) {
                        idle.close()
                        loop.schedule(after: .milliseconds(100)) { _ in
                            sender.send([4, 5], to: receiver.advertisedAddress)
                            whenTrue(loop, { delivered.count == 1 }) { [unowned receiver] in
                                finish(Outcome(counters: receiver.counters, delivered: delivered))
                            }
                        }
                    }
                }
            }
        }
        #expect(outcome.counters.inboundConnectionsDropped == 1)
        #expect(outcome.delivered == [[4, 5]])
        #expect(outcome.counters.packetsReceived == 1)
    }
}
