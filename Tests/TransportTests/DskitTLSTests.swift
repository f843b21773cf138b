import EventLoop
import Testing
@testable import Transport

/// dskit's transport with TLS around the whole connection (dskit-kv-ring.md §1
/// "TLS"), using the PKI from scripts/make-test-certs.
@Suite struct DskitTLSTests {
    static func node(_ certs: TestCertificates, requireClientCertificates: Bool = false) -> DskitTLSSettings {
        DskitTLSSettings(enabled: true, certPath: certs.nodeCert, keyPath: certs.nodeKey, caPath: certs.ca,
                         requireClientCertificates: requireClientCertificates)
    }

    /// A node whose whole PKI is the untrusted one: its certificate is signed by
    /// other-ca and it trusts only other-ca.
    static func rogue(_ certs: TestCertificates) -> DskitTLSSettings {
        DskitTLSSettings(enabled: true, certPath: certs.rogueCert, keyPath: certs.rogueKey, caPath: certs.otherCA)
    }

    struct Delivery: Sendable {
        var delivered: [[UInt8]] = []
        var sources: [SocketAddress] = []
        var senderAdvertised: SocketAddress?
        var sender = TransportCounters()
        var receiver = TransportCounters()
    }

    /// `sender` sends one packet to `receiver`; finishes when `settled` holds.
    func deliver(
        from senderTLS: DskitTLSSettings, to receiverTLS: DskitTLSSettings,
        until settled: @escaping @Sendable (_ sender: TransportCounters, _ receiver: TransportCounters) -> Bool
    ) async throws -> Delivery {
        try await onFreshLoop { (loop, keep, finish: @escaping (Delivery) -> Void) in
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(tls: senderTLS)))
            let receiver = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(tls: receiverTLS)))
            var outcome = Delivery()
            outcome.senderAdvertised = sender.advertisedAddress
            receiver.onPacket = { packet in
                outcome.delivered.append([UInt8](packet.bytes))
                outcome.sources.append(packet.source)
            }
            sender.send(pattern(4000, seed: 7), to: receiver.advertisedAddress)
            whenTrue(loop, { [unowned sender, unowned receiver] in settled(sender.counters, receiver.counters) }) {
                [unowned sender, unowned receiver] in
                outcome.sender = sender.counters
                outcome.receiver = receiver.counters
                finish(outcome)
            }
        }
    }

    @Test func nodesWithTheTrustedCertificateExchangePackets() async throws {
        let certs = try TestCertificates.make()
        let outcome = try await deliver(from: Self.node(certs), to: Self.node(certs)) { sender, receiver in
            receiver.packetsReceived == 1 && sender.packetsSent == 1
        }
        #expect(outcome.delivered == [pattern(4000, seed: 7)])
        #expect(outcome.sources.first == outcome.senderAdvertised)
        #expect(outcome.receiver.packetsReceivedErrors == 0)
        // Ciphertext is bigger than the frame: the byte counters see plaintext only.
        #expect(outcome.sender.sentBytes == 2 + (outcome.senderAdvertised?.description.utf8.count ?? 0) + 4000 + 16)
    }

    @Test(arguments: [false, true])
    func nodesWithTheTrustedCertificateExchangeStreams(clientIsA: Bool) async throws {
        let certs = try TestCertificates.make()
        let result = try await dskitStreamRoundTrip(clientIsA: clientIsA, tls: Self.node(certs))
        #expect(result.requestAtServer == pattern(300_000, seed: 5))
        #expect(result.replyAtClient == pattern(2_000, seed: 6))
        #expect(result.tlsVersion == "TLSv1.3")
        #expect(result.clientCounters.outgoingStreams == 1)
        #expect(result.serverCounters.incomingStreams == 1)
    }

    /// The rogue node rejects the honest server's certificate (not signed by
    /// the CA it trusts): its packet fails at the handshake and is counted as a
    /// send error on the sender; nothing arrives.
    @Test func rogueNodeCannotDeliver() async throws {
        let certs = try TestCertificates.make()
        let outcome = try await deliver(from: Self.rogue(certs), to: Self.node(certs)) { sender, _ in
            sender.packetsSentErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.sender.packetsSent == 0)
        #expect(outcome.receiver.packetsReceived == 0)
    }

    /// An honest node refuses a rogue server the same way.
    @Test func honestNodeRefusesRogueServer() async throws {
        let certs = try TestCertificates.make()
        let outcome = try await deliver(from: Self.node(certs), to: Self.rogue(certs)) { sender, _ in
            sender.packetsSentErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.receiver.packetsReceived == 0)
    }

    /// A server name that is not in the certificate fails verification
    /// (without one, the dialled IP must be an IP SAN, which 127.0.0.1 is).
    @Test func wrongServerNameFailsVerification() async throws {
        let certs = try TestCertificates.make()
        var sender = Self.node(certs)
        sender.serverName = "not-the-node.example"
        let outcome = try await deliver(from: sender, to: Self.node(certs)) { sender, _ in
            sender.packetsSentErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
    }

    /// Our opt-in: with client certificates required, a node without one is
    /// rejected by the server (TLS 1.3 lets the client finish its side first,
    /// so the refusal shows on the server), while a node with the trusted
    /// certificate still delivers.
    @Test func requiringClientCertificatesRejectsClientsWithoutOne() async throws {
        let certs = try TestCertificates.make()
        let strict = Self.node(certs, requireClientCertificates: true)
        let anonymous = DskitTLSSettings(enabled: true, caPath: certs.ca)
        let rejected = try await deliver(from: anonymous, to: strict) { _, receiver in
            receiver.acceptErrors == 1
        }
        #expect(rejected.delivered.isEmpty)
        #expect(rejected.receiver.packetsReceived == 0)

        let accepted = try await deliver(from: Self.node(certs), to: strict) { _, receiver in
            receiver.packetsReceived == 1
        }
        #expect(accepted.delivered == [pattern(4000, seed: 7)])
        #expect(accepted.receiver.acceptErrors == 0)
    }

    /// A plain dskit node cannot talk to a TLS one: the server sees no TLS
    /// handshake and drops the connection.
    @Test func plainSenderIsRejectedByTLSReceiver() async throws {
        let certs = try TestCertificates.make()
        let outcome = try await deliver(from: DskitTLSSettings(), to: Self.node(certs)) { _, receiver in
            receiver.acceptErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
    }

    /// Nodes configured with a Go cipher suite name and a minimum version still connect.
    @Test func configuredCipherSuiteAndMinimumVersionStillConnect() async throws {
        let certs = try TestCertificates.make()
        var settings = Self.node(certs)
        settings.cipherSuites = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        settings.minVersion = "VersionTLS12"
        var receiverSettings = settings
        receiverSettings.cipherSuites = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        let outcome = try await deliver(from: settings, to: receiverSettings) { _, receiver in
            receiver.packetsReceived == 1
        }
        #expect(outcome.delivered == [pattern(4000, seed: 7)])
    }
}
