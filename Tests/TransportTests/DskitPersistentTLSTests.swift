import Config
import EventLoop
import NetworkTestSupport
import Testing
@testable import Transport

/// Persistent packet connections between memberlistd nodes over dskit TLS
/// (issue 14, ``DskitPacketStreamFrame``): negotiated by ALPN, so a client or
/// server that does not offer it (as dskit's Go side) gets a connection per packet.
@Suite struct DskitPersistentTLSTests {
    struct Run: Sendable {
        var delivered: [[UInt8]] = []
        var sender = TransportCounters()
        var receiver = TransportCounters()
    }

    /// `count` packets from sender to receiver, each sent once the previous one
    /// arrived (so every packet can find the connection the first one opened).
    /// `between` runs on the loop before each packet after the first, with the
    /// counters so far; the run ends when `settled` holds after the last one.
    func exchange(
        count: Int, sender senderConfiguration: DskitTransportConfiguration,
        receiver receiverConfiguration: DskitTransportConfiguration,
        before: @escaping @Sendable (_ index: Int, _ sender: TransportCounters, _ receiver: TransportCounters) -> Bool
            = { _, _, _ in true },
        settled: @escaping @Sendable (_ sender: TransportCounters, _ receiver: TransportCounters) -> Bool
    ) async throws -> Run {
        try await onFreshLoop { (loop, keep, finish: @escaping (Run) -> Void) in
            let sender = keep(try DskitTransport(loop: loop, configuration: senderConfiguration))
            let receiver = keep(try DskitTransport(loop: loop, configuration: receiverConfiguration))
            var run = Run()
            receiver.onPacket = { packet in run.delivered.append([UInt8](packet.bytes)) }
            func send(_ index: Int) {
                guard index < count else {
                    whenTrue(loop, { [unowned sender, unowned receiver] in settled(sender.counters, receiver.counters) }) {
                        [unowned sender, unowned receiver] in
                        run.sender = sender.counters
                        run.receiver = receiver.counters
                        finish(run)
                    }
                    return
                }
                whenTrue(loop, { [unowned sender, unowned receiver] in
                    run.delivered.count == index && before(index, sender.counters, receiver.counters)
                }) { [unowned sender, unowned receiver] in
                    sender.send(pattern(300 + index, seed: UInt8(index)), to: receiver.advertisedAddress)
                    send(index + 1)
                }
            }
            send(0)
        }
    }

    static func configuration(_ certs: TestCertificates, persistent: Bool = true,
                              idle: Duration = .seconds(30), maxInbound: Int = 128) -> DskitTransportConfiguration {
        var configuration = dskitConfiguration(tls: DskitTLSTests.node(certs))
        configuration.tls.persistentConnections = persistent
        configuration.persistentIdleTimeout = idle
        configuration.maxPersistentInbound = maxInbound
        return configuration
    }

    private static func expected(_ count: Int) -> [[UInt8]] {
        (0..<count).map { pattern(300 + $0, seed: UInt8($0)) }
    }

    @Test func memberlistdPairReusesOneConnection() async throws {
        let certs = try TestCertificates.load()
        let run = try await exchange(
            count: 20, sender: Self.configuration(certs), receiver: Self.configuration(certs)
        ) { _, receiver in receiver.packetsReceived == 20 }
        #expect(run.delivered == Self.expected(20))
        #expect(run.sender.packetsSent == 20)
        #expect(run.sender.packetsSentReused == 19)
        #expect(run.sender.tlsHandshakes == 1)
        #expect(run.receiver.tlsHandshakes == 1)
        #expect(run.sender.persistentConnectionsOutbound == 1)
        #expect(run.receiver.persistentConnectionsInbound == 1)
        #expect(run.receiver.packetsReceivedErrors == 0)
    }

    /// dskit's Go client offers no ALPN: our server reads it a packet per connection.
    @Test func clientWithoutTheProtocolGetsAConnectionPerPacket() async throws {
        let certs = try TestCertificates.load()
        let run = try await exchange(
            count: 5, sender: Self.configuration(certs, persistent: false), receiver: Self.configuration(certs)
        ) { _, receiver in receiver.packetsReceived == 5 }
        #expect(run.delivered == Self.expected(5))
        #expect(run.sender.tlsHandshakes == 5)
        #expect(run.sender.packetsSentReused == 0)
        #expect(run.receiver.persistentConnectionsInbound == 0)
        // Nor does such a client get a session ticket: nothing resumes.
        #expect(run.receiver.tlsServerHandshakesResumed == 0)
    }

    /// Go's server selects no ALPN: our client sends dskit's plain packet connections.
    @Test func serverWithoutTheProtocolGetsAConnectionPerPacket() async throws {
        let certs = try TestCertificates.load()
        let run = try await exchange(
            count: 5, sender: Self.configuration(certs), receiver: Self.configuration(certs, persistent: false)
        ) { _, receiver in receiver.packetsReceived == 5 }
        #expect(run.delivered == Self.expected(5))
        #expect(run.sender.tlsHandshakes == 5)
        #expect(run.sender.packetsSentReused == 0)
        #expect(run.sender.persistentConnectionsOutbound == 0)
        #expect(run.receiver.unknownConnections == 0)
    }

    /// An idle connection is closed by the client (both gauges drop); the next
    /// packet opens a new one.
    @Test func idleConnectionClosesAndTheNextPacketReconnects() async throws {
        let certs = try TestCertificates.load()
        let run = try await exchange(
            count: 2, sender: Self.configuration(certs, idle: .milliseconds(150)),
            receiver: Self.configuration(certs, idle: .milliseconds(150)),
            before: { _, sender, receiver in
                sender.persistentConnectionsOutbound == 0 && receiver.persistentConnectionsInbound == 0
            }
        ) { _, receiver in receiver.packetsReceived == 2 }
        #expect(run.delivered == Self.expected(2))
        #expect(run.sender.tlsHandshakes == 2)
        #expect(run.sender.packetsSentReused == 0)
        #expect(run.receiver.packetsReceivedErrors == 0)
        // The second connection resumed the first one's session (issue 14).
        #expect(run.sender.tlsClientHandshakesResumed == 1)
        #expect(run.receiver.tlsServerHandshakesResumed == 1)
    }

    /// Without a session cache the client never resumes.
    @Test func withoutSessionCacheTheNextConnectionIsAFullHandshake() async throws {
        let certs = try TestCertificates.load()
        var sender = Self.configuration(certs, idle: .milliseconds(150))
        sender.tls.sessionCacheSize = 0
        let run = try await exchange(
            count: 2, sender: sender, receiver: Self.configuration(certs, idle: .milliseconds(150)),
            before: { _, sender, receiver in
                sender.persistentConnectionsOutbound == 0 && receiver.persistentConnectionsInbound == 0
            }
        ) { _, receiver in receiver.packetsReceived == 2 }
        #expect(run.sender.tlsClientHandshakes == 2)
        #expect(run.sender.tlsClientHandshakesResumed == 0)
    }

    /// A reload on either side ends the persistent connection gracefully (every packet
    /// arrives) and the next one is a full handshake: nothing from before resumes.
    @Test(arguments: [true, false])
    func reloadRetiresPersistentConnections(onReceiver: Bool) async throws {
        let certs = try TestCertificates.load()
        let senderConfiguration = Self.configuration(certs), receiverConfiguration = Self.configuration(certs)
        let run = try await onFreshLoop { (loop, keep, finish: @escaping (Run) -> Void) in
            let sender = keep(try DskitTransport(loop: loop, configuration: senderConfiguration))
            let receiver = keep(try DskitTransport(loop: loop, configuration: receiverConfiguration))
            var run = Run()
            receiver.onPacket = { packet in run.delivered.append([UInt8](packet.bytes)) }
            func send(_ index: Int) {
                guard index < 6 else {
                    whenTrue(loop, { [unowned receiver] in receiver.counters.packetsReceived == 6 }) {
                        [unowned sender, unowned receiver] in
                        run.sender = sender.counters
                        run.receiver = receiver.counters
                        finish(run)
                    }
                    return
                }
                whenTrue(loop, { run.delivered.count == index }) { [unowned sender, unowned receiver] in
                    if index == 3 {
                        #expect((onReceiver ? receiver : sender).reloadTLS(ifFilesChanged: false) == .reloaded)
                        // The link ends (both sides) before the next packet is sent.
                        whenTrue(loop, {
                            sender.counters.persistentConnectionsOutbound == 0
                                && receiver.counters.persistentConnectionsInbound == 0
                        }) {
                            sender.send(pattern(300 + index, seed: UInt8(index)), to: receiver.advertisedAddress)
                            send(index + 1)
                        }
                        return
                    }
                    sender.send(pattern(300 + index, seed: UInt8(index)), to: receiver.advertisedAddress)
                    send(index + 1)
                }
            }
            send(0)
        }
        #expect(run.delivered == Self.expected(6))
        #expect(run.receiver.packetsReceivedErrors == 0)
        #expect((onReceiver ? run.receiver : run.sender).tlsReloads == 1)
        #expect(run.sender.tlsClientHandshakes == 2)
        #expect(run.sender.tlsClientHandshakesResumed == 0)
        #expect(run.sender.packetsSentReused == 4)
    }

    /// A server at its bound reads the frames and asks the client to close; the
    /// client falls back to a connection per packet, nothing is lost.
    @Test func serverAtItsBoundSendsClientsBackToAConnectionPerPacket() async throws {
        let certs = try TestCertificates.load()
        let run = try await exchange(
            count: 4, sender: Self.configuration(certs), receiver: Self.configuration(certs, maxInbound: 0),
            before: { _, sender, _ in sender.persistentConnectionsOutbound == 0 }
        ) { sender, receiver in receiver.packetsReceived == 4 && sender.persistentConnectionsOutbound == 0 }
        #expect(run.delivered == Self.expected(4))
        #expect(run.sender.packetsSentErrors == 0)
        #expect(run.receiver.persistentConnectionsInbound == 0)
        #expect(run.receiver.packetsReceivedErrors == 0)
    }
}
