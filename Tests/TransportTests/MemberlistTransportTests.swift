import EventLoop
import Testing
@testable import Transport
import Wire

/// memberlist's own transport on loopback: UDP packets and TCP streams on one
/// port (memberlist-wire.md §3-4).
@Suite struct MemberlistTransportTests {
    struct Exchange: Sendable {
        var atB: [UInt8]
        var sourceAtB: SocketAddress
        var atA: [UInt8]
        var sourceAtA: SocketAddress
        var addressA: SocketAddress
        var addressB: SocketAddress
        var countersA: TransportCounters
        var countersB: TransportCounters
    }

    /// A sends to B, B answers to the source it saw.
    func exchange(bindIP: String, destinationIP: String? = nil) async throws -> Exchange {
        try await onFreshLoop { loop, keep, finish in
            let config = MemberlistTransportConfiguration(bindAddress: IPAddress(parsing: bindIP) ?? IPAddress(), bindPort: 0)
            let a = keep(try MemberlistTransport(loop: loop, configuration: config))
            let b = keep(try MemberlistTransport(loop: loop, configuration: config))
            var atB: ([UInt8], SocketAddress)?
            b.onPacket = { packet in
                atB = ([UInt8](packet.bytes), packet.source)
                b.send([0xBB, 0x02], to: packet.source)
            }
            a.onPacket = { [unowned a, unowned b] packet in
                guard let (bytes, source) = atB else { return }
                finish(Exchange(
                    atB: bytes, sourceAtB: source, atA: [UInt8](packet.bytes), sourceAtA: packet.source,
                    addressA: a.boundAddress, addressB: b.boundAddress,
                    countersA: a.counters, countersB: b.counters))
            }
            var target = b.boundAddress
            if let destinationIP, let ip = SocketAddress(ip: destinationIP, port: target.port) { target = ip }
            a.send([0xAA, 0x01, 0x00, 0xFF], to: target)
        }
    }

    @Test func packetsBothWaysIPv4WithCorrectSources() async throws {
        let result = try await exchange(bindIP: "127.0.0.1")
        #expect(result.atB == [0xAA, 0x01, 0x00, 0xFF])
        #expect(result.atA == [0xBB, 0x02])
        #expect(result.sourceAtB == result.addressA)
        #expect(result.sourceAtA == result.addressB)
        #expect(result.addressA.description == "127.0.0.1:\(result.addressA.port)")
        #expect(result.countersA.packetsSent == 1)
        #expect(result.countersA.packetsSentBytes == 4)
        #expect(result.countersB.packetsReceived == 1)
        #expect(result.countersB.packetsReceivedBytes == 4)
        #expect(result.countersB.packetsSent == 1)
    }

    @Test func packetsBothWaysIPv6WithCorrectSources() async throws {
        let result = try await exchange(bindIP: "::1")
        #expect(result.atB == [0xAA, 0x01, 0x00, 0xFF])
        #expect(result.atA == [0xBB, 0x02])
        #expect(result.sourceAtB == result.addressA)
        #expect(result.sourceAtA == result.addressB)
        #expect(result.sourceAtB.family == .ipv6)
        #expect(result.addressA.description == "[::1]:\(result.addressA.port)")
    }

    /// Bound to `::` (dual stack), an IPv4 peer is reported as plain IPv4,
    /// as Go prints it, and replies to that IPv4 source arrive.
    @Test func dualStackReportsIPv4SourcesUnmapped() async throws {
        let result = try await exchange(bindIP: "::", destinationIP: "127.0.0.1")
        #expect(result.atA == [0xBB, 0x02])
        #expect(result.sourceAtB.family == .ipv4)
        #expect(result.sourceAtB.description == "127.0.0.1:\(result.addressA.port)")
    }

    struct StreamResult: Sendable {
        var requestAtServer: [UInt8]
        var replyAtClient: [UInt8]
        var serverSawClientAt: SocketAddress
        var clientCounters: TransportCounters
        var serverCounters: TransportCounters
    }

    /// `client` opens a stream to `server`'s port (the UDP port: port 0 is
    /// shared), sends a request, the server replies and both finish.
    func streamRoundTrip(clientIsA: Bool) async throws -> StreamResult {
        try await onFreshLoop { loop, keep, finish in
            let config = MemberlistTransportConfiguration(bindAddress: IPAddress(127, 0, 0, 1), bindPort: 0)
            let a = keep(try MemberlistTransport(loop: loop, configuration: config))
            let b = keep(try MemberlistTransport(loop: loop, configuration: config))
            let (client, server) = clientIsA ? (a, b) : (b, a)
            let request = pattern(200_000, seed: 3)
            let reply = pattern(1_000, seed: 9)
            var requestAtServer: [UInt8] = []
            var serverSawClientAt: SocketAddress?
            server.onStream = { stream in
                keep(stream)
                serverSawClientAt = stream.remoteAddress
                stream.readToEnd { bytes in
                    requestAtServer = bytes
                    try? stream.write(array: reply)
                    stream.finishWriting()
                }
            }
            client.openStream(to: server.boundAddress, timeout: .seconds(5)) { result in
                guard case .success(let stream) = result else {
                    Issue.record("openStream failed: \(result)")
                    return
                }
                keep(stream)
                try? stream.write(array: request)
                stream.finishWriting()
                stream.readToEnd { [unowned client, unowned server] bytes in
                    guard let seen = serverSawClientAt else { return }
                    finish(StreamResult(
                        requestAtServer: requestAtServer, replyAtClient: bytes, serverSawClientAt: seen,
                        clientCounters: client.counters, serverCounters: server.counters))
                }
            }
        }
    }

    @Test(arguments: [true, false])
    func streamsBothWaysOnTheSharedPort(clientIsA: Bool) async throws {
        let result = try await streamRoundTrip(clientIsA: clientIsA)
        #expect(result.requestAtServer == pattern(200_000, seed: 3))
        #expect(result.replyAtClient == pattern(1_000, seed: 9))
        #expect(result.serverSawClientAt.description.hasPrefix("127.0.0.1:"))
        #expect(result.clientCounters.outgoingStreams == 1)
        #expect(result.serverCounters.incomingStreams == 1)
        #expect(result.clientCounters.sentBytes == 200_000)
        #expect(result.clientCounters.receivedBytes == 1_000)
        #expect(result.serverCounters.receivedBytes == 200_000)
    }

    struct PortCheck: Sendable {
        var bound: SocketAddress
        var advertised: SocketAddress
        var tcpConnected: Bool
    }

    /// Port 0: the kernel picks one port and UDP and TCP both use it.
    @Test func portZeroIsSharedByUDPAndTCP() async throws {
        let result = try await onFreshLoop { (loop, keep, finish: @escaping (PortCheck) -> Void) in
            let transport = keep(try MemberlistTransport(
                loop: loop, configuration: MemberlistTransportConfiguration(bindAddress: IPAddress(127, 0, 0, 1), bindPort: 0)))
            loop.connectTCP(to: transport.boundAddress, timeout: .seconds(5)) { [unowned transport] result in
                if case .success(let connection) = result { connection.close() }
                let connected = if case .success = result { true } else { false }
                finish(PortCheck(bound: transport.boundAddress, advertised: transport.advertisedAddress,
                                 tcpConnected: connected))
            }
        }
        #expect(result.bound.port != 0)
        #expect(result.tcpConnected)
        #expect(result.advertised == result.bound)
    }

    @Test func openingAStreamToAClosedPortFailsAndCounts() async throws {
        let counters = try await onFreshLoop { (loop, keep, finish: @escaping (TransportCounters) -> Void) in
            let config = MemberlistTransportConfiguration(bindAddress: IPAddress(127, 0, 0, 1), bindPort: 0)
            let a = keep(try MemberlistTransport(loop: loop, configuration: config))
            let b = try MemberlistTransport(loop: loop, configuration: config)
            let target = b.boundAddress
            b.shutdown()
            a.openStream(to: target, timeout: .seconds(5)) { [unowned a] result in
                if case .success = result { Issue.record("connected to a closed port") }
                finish(a.counters)
            }
        }
        #expect(counters.outgoingStreamErrors == 1)
        #expect(counters.outgoingStreams == 0)
    }

    /// The node picks a transport from config; both kinds come out bound.
    @Test func transportChoiceBuildsEitherKind() async throws {
        let kinds = try await onFreshLoop { (loop, keep, finish: @escaping ([String]) -> Void) in
            let udp = keep(try TransportChoice.memberlist(
                MemberlistTransportConfiguration(bindAddress: IPAddress(127, 0, 0, 1), bindPort: 0)).makeTransport(on: loop))
            let tcp = keep(try TransportChoice.dskit(dskitConfiguration()).makeTransport(on: loop))
            finish([String(describing: type(of: udp)), String(describing: type(of: tcp)),
                    String(udp.advertisedAddress.port != 0), String(tcp.advertisedAddress.port != 0)])
        }
        #expect(kinds == ["MemberlistTransport", "DskitTransport", "true", "true"])
    }

    @Test func rejectsABindAddressOfNeither4Nor16Bytes() async throws {
        let bad = try #require(IPAddress(bytes: [127, 0, 1]))
        let error = try await onFreshLoop { (loop, _, finish: @escaping (TransportError?) -> Void) in
            do {
                _ = try MemberlistTransport(
                    loop: loop, configuration: MemberlistTransportConfiguration(bindAddress: bad))
                finish(nil)
            } catch let error as TransportError {
                finish(error)
            }
        }
        #expect(error == .invalidBindAddress("\(bad)"))
    }
}
