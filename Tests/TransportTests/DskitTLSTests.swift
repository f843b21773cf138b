import Config
import EventLoop
import Foundation
import NetworkTestSupport
import Testing
@testable import Transport

/// dskit's transport with TLS around the whole connection (dskit-kv-ring.md §1
/// "TLS"), using the PKI from scripts/make-test-certs.
@Suite struct DskitTLSTests {
    static func node(_ certs: TestCertificates, requireClientCertificate: Bool = false) -> TLSSettings {
        TLSSettings(enabled: true, certificatePath: certs.nodeCert, keyPath: certs.nodeKey, caPath: certs.ca,
                         requireClientCertificate: requireClientCertificate)
    }

    /// A node whose whole PKI is the untrusted one: its certificate is signed by
    /// other-ca and it trusts only other-ca.
    static func rogue(_ certs: TestCertificates) -> TLSSettings {
        TLSSettings(enabled: true, certificatePath: certs.rogueCert, keyPath: certs.rogueKey, caPath: certs.otherCA)
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
        from senderTLS: TLSSettings, to receiverTLS: TLSSettings, ip: String = "127.0.0.1",
        until settled: @escaping @Sendable (_ sender: TransportCounters, _ receiver: TransportCounters) -> Bool
    ) async throws -> Delivery {
        try await onFreshLoop { (loop, keep, finish: @escaping (Delivery) -> Void) in
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(ip: ip, tls: senderTLS)))
            let receiver = keep(try DskitTransport(
                loop: loop, configuration: dskitConfiguration(ip: ip, tls: receiverTLS)))
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

    /// Verified against the dialled IP's SAN (127.0.0.1 and ::1 are in the certificate).
    @Test(arguments: ["127.0.0.1", "::1"])
    func nodesWithTheTrustedCertificateExchangePackets(ip: String) async throws {
        let certs = try TestCertificates.load()
        let outcome = try await deliver(from: Self.node(certs), to: Self.node(certs), ip: ip) { sender, receiver in
            receiver.packetsReceived == 1 && sender.packetsSent == 1
        }
        #expect(outcome.delivered == [pattern(4000, seed: 7)])
        #expect(outcome.sources.first == outcome.senderAdvertised)
        #expect(outcome.receiver.packetsReceivedErrors == 0)
        // Ciphertext is bigger than the frame: the byte counters see plaintext only. Between
        // two memberlistd nodes the connection is a persistent one: marker 03 and a length first.
        #expect(outcome.sender.sentBytes
            == 1 + 4 + 2 + (outcome.senderAdvertised?.description.utf8.count ?? 0) + 4000 + 16)
    }

    @Test(arguments: [false, true])
    func nodesWithTheTrustedCertificateExchangeStreams(clientIsA: Bool) async throws {
        let certs = try TestCertificates.load()
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
        let certs = try TestCertificates.load()
        let outcome = try await deliver(from: Self.rogue(certs), to: Self.node(certs)) { sender, _ in
            sender.packetsSentErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.sender.packetsSent == 0)
        #expect(outcome.receiver.packetsReceived == 0)
    }

    /// An honest node refuses a rogue server the same way.
    @Test func honestNodeRefusesRogueServer() async throws {
        let certs = try TestCertificates.load()
        let outcome = try await deliver(from: Self.node(certs), to: Self.rogue(certs)) { sender, _ in
            sender.packetsSentErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.receiver.packetsReceived == 0)
    }

    /// A server name that is not in the certificate fails verification
    /// (without one, the dialled IP must be an IP SAN, which 127.0.0.1 is).
    @Test func wrongServerNameFailsVerification() async throws {
        let certs = try TestCertificates.load()
        var sender = Self.node(certs)
        sender.serverName = "not-the-node.example"
        let outcome = try await deliver(from: sender, to: Self.node(certs)) { sender, _ in
            sender.packetsSentErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
    }

    /// With `tls_server_name` set, the certificate is checked for that DNS name instead.
    @Test func serverNameInTheCertificateIsAccepted() async throws {
        let certs = try TestCertificates.load()
        var sender = Self.node(certs)
        sender.serverName = "memberlist-node"
        let outcome = try await deliver(from: sender, to: Self.node(certs)) { _, receiver in
            receiver.packetsReceived == 1
        }
        #expect(outcome.delivered == [pattern(4000, seed: 7)])
    }

    /// A fresh directory holding a copy of the node pair as cert.pem and key.pem, for a
    /// test that rewrites them.
    static func copyOfNodePair(_ certs: TestCertificates, into name: String) throws -> String {
        let directory = certs.directory + "/\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: certs.nodeCert, toPath: directory + "/cert.pem")
        try FileManager.default.copyItem(atPath: certs.nodeKey, toPath: directory + "/key.pem")
        return directory
    }

    /// Rotating the files and reloading switches new connections to the new
    /// certificate: after the receiver reloads with the rogue pair at the same
    /// paths, an honest sender's packet fails verification. The sender dials a
    /// connection per packet (no persistent connection, which would rightly keep
    /// the handshake it already made), so its second packet is a new handshake.
    @Test func reloadingPicksUpRotatedCertificates() async throws {
        let certs = try TestCertificates.load()
        let rotating = try Self.copyOfNodePair(certs, into: "rotating")
        defer { try? FileManager.default.removeItem(atPath: rotating) }
        let receiverTLS = TLSSettings(
            enabled: true, certificatePath: rotating + "/cert.pem", keyPath: rotating + "/key.pem", caPath: certs.ca)
        let senderTLS = Self.node(certs)
        let rogueCert = certs.rogueCert, rogueKey = certs.rogueKey
        let counts = try await onFreshLoop { (loop, keep, finish: @escaping ([Int]) -> Void) in
            var perPacket = dskitConfiguration(tls: senderTLS)
            perPacket.tls.persistentConnections = false
            let sender = keep(try DskitTransport(loop: loop, configuration: perPacket))
            let receiver = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(tls: receiverTLS)))
            sender.send([1], to: receiver.advertisedAddress)
            whenTrue(loop, { [unowned receiver] in receiver.counters.packetsReceived == 1 }) {
                [unowned sender, unowned receiver] in
                do {
                    for (source, target) in [(rogueCert, "/cert.pem"), (rogueKey, "/key.pem")] {
                        try Data(contentsOf: URL(fileURLWithPath: source))
                            .write(to: URL(fileURLWithPath: rotating + target))
                    }
                    #expect(receiver.reloadTLS(ifFilesChanged: false) == .reloaded)
                } catch {
                    Issue.record("rotation failed: \(error)")
                }
                sender.send([2], to: receiver.advertisedAddress)
                whenTrue(loop, { sender.counters.packetsSentErrors == 1 }) {
                    finish([sender.counters.packetsSent, sender.counters.packetsSentErrors,
                            receiver.counters.packetsReceived])
                }
            }
        }
        #expect(counts == [1, 1, 1])
    }

    /// A corrupt certificate is refused, naming the file, counted, and the receiver
    /// keeps serving with the certificate it had (a new sender still verifies it).
    @Test func corruptCertificateIsRefusedAndTheOldOneStays() async throws {
        let certs = try TestCertificates.load()
        let rotating = try Self.copyOfNodePair(certs, into: "corrupt")
        defer { try? FileManager.default.removeItem(atPath: rotating) }
        let receiverTLS = TLSSettings(
            enabled: true, certificatePath: rotating + "/cert.pem", keyPath: rotating + "/key.pem", caPath: certs.ca)
        let senderTLS = Self.node(certs)
        let result = try await onFreshLoop { (loop, keep, finish: @escaping ([String]) -> Void) in
            let receiver = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(tls: receiverTLS)))
            try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: rotating + "/cert.pem"))
            var seen: [String] = []
            switch receiver.reloadTLS(ifFilesChanged: false) {
            case .refused(let error)?: seen.append("refused \(error.file ?? "-")")
            case let other: seen.append("\(String(describing: other))")
            }
            let sender = keep(try DskitTransport(loop: loop, configuration: dskitConfiguration(tls: senderTLS)))
            sender.send([9], to: receiver.advertisedAddress)
            whenTrue(loop, { [unowned receiver] in receiver.counters.packetsReceived == 1 }) { [unowned receiver] in
                seen.append("delivered, reloads \(receiver.counters.tlsReloads), failures \(receiver.counters.tlsReloadFailures)")
                finish(seen)
            }
        }
        #expect(result == ["refused \(rotating)/cert.pem", "delivered, reloads 0, failures 1"])
    }

    /// Our opt-in: with client certificates required, a node without one is
    /// rejected by the server (TLS 1.3 lets the client finish its side first,
    /// so the refusal shows on the server), while a node with the trusted
    /// certificate still delivers.
    @Test func requiringClientCertificatesRejectsClientsWithoutOne() async throws {
        let certs = try TestCertificates.load()
        let strict = Self.node(certs, requireClientCertificate: true)
        let anonymous = TLSSettings(enabled: true, caPath: certs.ca)
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
        let certs = try TestCertificates.load()
        let outcome = try await deliver(from: TLSSettings(), to: Self.node(certs)) { _, receiver in
            receiver.acceptErrors == 1
        }
        #expect(outcome.delivered.isEmpty)
    }

    /// Nodes configured with a Go cipher suite name and a minimum version still connect.
    @Test func configuredCipherSuiteAndMinimumVersionStillConnect() async throws {
        let certs = try TestCertificates.load()
        var settings = Self.node(certs)
        settings.cipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
        settings.minVersion = "VersionTLS12"
        var receiverSettings = settings
        receiverSettings.cipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
        let outcome = try await deliver(from: settings, to: receiverSettings) { _, receiver in
            receiver.packetsReceived == 1
        }
        #expect(outcome.delivered == [pattern(4000, seed: 7)])
    }
}
