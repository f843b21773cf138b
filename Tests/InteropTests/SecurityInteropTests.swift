import Foundation
import Glibc
import NetworkTestSupport
import Testing

/// Encryption keys (memberlist-wire.md §5), cluster labels (§3.2) and dskit TLS
/// (dskit-kv-ring.md §1) across memberlistd and Go peers.
extension ProcessClusterTests {
    @Suite(.serialized)
    struct SecurityInteropTests {
        private func keyFile(_ bytes: [UInt8], _ name: String) throws -> String {
            let directory = try TestFiles.makeDirectory("swift-keys")
            return try TestFiles.write(bytes.map { String(format: "%02x", $0) }.joined(), named: name, in: directory)
        }

        @Test func sharedKeyMixedClusterAndWrongKeyKeptOut() async throws {
            let key = try keyFile((0..<32).map { UInt8($0 * 5 & 0xff) }, "good.hex")
            let wrong = try keyFile((0..<32).map { UInt8(255 - $0) }, "wrong.hex")
            let cluster = try await MixedClusterTests.start(
                "enc", transport: .net, goSeeds: true, swiftExtra: ["-memberlist.encryption-key-file=\(key)"],
                goConfigure: { $0.keyFile = key })
            try await MixedClusterTests.expectConverged(cluster)
            try cluster.swift[1].broadcast("encrypted-hello")
            try await cluster.go[2].waitForUserMessage("encrypted-hello")

            let intruder = try await MemberlistdProcess.launch(
                name: "enc-intruder", transport: "udp",
                join: [cluster.go[0].address], extra: ["-memberlist.encryption-key-file=\(wrong)"])
            try await intruder.waitForLog("joining memberlist cluster failed", from: 0)
            let view = try await intruder.members()
            #expect(Array(view.keys) == ["enc-intruder"])
            let goView = try await cluster.go[0].members()
            #expect(!goView.map(\.name).contains("enc-intruder"))
            _ = await intruder.stop(SIGKILL)
            await MixedClusterTests.stopAll(cluster)
        }

        @Test func labelsSeparateSwiftClustersAndAnUnlabelledGoCluster() async throws {
            let a = try await MemberlistdProcess.launch(name: "lbl-a", transport: "udp",
                                                        extra: ["-memberlist.cluster-label=blue"])
            let b = try await MemberlistdProcess.launch(name: "lbl-b", transport: "udp", join: [a.address],
                                                        extra: ["-memberlist.cluster-label=blue"])
            try await a.waitForMembers("2 alive") { $0 == ["lbl-a": "alive", "lbl-b": "alive"] }
            let stranger = try await MemberlistdProcess.launch(name: "lbl-red", transport: "udp", join: [a.address],
                                                               extra: ["-memberlist.cluster-label=red"])
            try await stranger.waitForLog("joining memberlist cluster failed", from: 0)
            #expect(try await a.members()["lbl-red"] == nil)

            // Debian's Go v0.2.2 has no labels: a labelled Swift node stays out of it.
            let go = try await GoPeer.launch(GoPeerOptions(name: "lbl-go"))
            let labelled = try await MemberlistdProcess.launch(name: "lbl-green", transport: "udp",
                                                               join: [go.address], extra: ["-memberlist.cluster-label=green"])
            try await labelled.waitForLog("joining memberlist cluster failed", from: 0)
            #expect(try await go.members().map(\.name) == ["lbl-go"])
            for node in [a, b, stranger, labelled] { _ = await node.stop(SIGKILL) }
            _ = await go.kill()
        }

        /// A mixed cluster over dskit TLS, every node with the test CA's node certificate.
        private func startTLSCluster(_ prefix: String, goSeeds: Bool)
            async throws -> (cluster: MixedClusterTests.Cluster, tlsFlags: [String], ca: String) {
            let cert = try TestFiles.certificate("node.pem"), key = try TestFiles.certificate("node.key")
            let ca = try TestFiles.certificate("ca.pem")
            let tlsFlags = ["-memberlist.tls-enabled", "-memberlist.tls-cert-path=\(cert)",
                            "-memberlist.tls-key-path=\(key)", "-memberlist.tls-ca-path=\(ca)"]
            let cluster = try await MixedClusterTests.start(
                prefix, transport: .dskit, goSeeds: goSeeds, swiftExtra: tlsFlags,
                goConfigure: { $0.tls = GoPeerOptions.TLS(certPath: cert, keyPath: key, caPath: ca) })
            return (cluster, tlsFlags, ca)
        }

        @Test func dskitTLSWithGoAndRogueAndClientCertificates() async throws {
            let (cluster, tlsFlags, ca) = try await startTLSCluster("tls", goSeeds: true)
            try await MixedClusterTests.expectConverged(cluster)
            try cluster.swift[0].broadcast("tls-hello")
            try await cluster.go[1].waitForUserMessage("tls-hello")

            // A node whose certificate no one trusts cannot join.
            let rogue = try await MemberlistdProcess.launch(
                name: "tls-rogue", transport: "tcp", join: [cluster.swift[0].address],
                extra: ["-memberlist.tls-enabled", "-memberlist.tls-cert-path=\(try TestFiles.certificate("rogue.pem"))",
                        "-memberlist.tls-key-path=\(try TestFiles.certificate("rogue.key"))",
                        "-memberlist.tls-ca-path=\(try TestFiles.certificate("other-ca.pem"))"])
            try await rogue.waitForLog("joining memberlist cluster failed", from: 0)
            #expect(try await cluster.swift[0].members()["tls-rogue"] == nil)
            _ = await rogue.stop(SIGKILL)
            await MixedClusterTests.stopAll(cluster)

            // Swift-only cluster requiring client certificates keeps out a node without one.
            let strict = tlsFlags + ["-memberlist.tls-require-client-cert"]
            let first = try await MemberlistdProcess.launch(name: "mtls-a", transport: "tcp", extra: strict)
            let second = try await MemberlistdProcess.launch(name: "mtls-b", transport: "tcp", join: [first.address],
                                                             extra: strict)
            try await first.waitForMembers("2 alive") { $0 == ["mtls-a": "alive", "mtls-b": "alive"] }
            let anonymous = try await MemberlistdProcess.launch(
                name: "mtls-anon", transport: "tcp", join: [first.address],
                extra: ["-memberlist.tls-enabled", "-memberlist.tls-ca-path=\(ca)"])
            try await anonymous.waitForLog("joining memberlist cluster failed", from: 0)
            #expect(try await first.members()["mtls-anon"] == nil)
            for node in [first, second, anonymous] { _ = await node.stop(SIGKILL) }
        }

        /// Issue 14: over dskit TLS, memberlistd pairs keep one persistent connection per
        /// peer (ALPN memberlistd-packets/1) while Go peers, which offer and accept no
        /// ALPN, keep a connection per packet; the mixed cluster converges and
        /// broadcasts both ways as before.
        @Test func dskitTLSMemberlistdPairsReuseConnectionsGoPairsDoNot() async throws {
            let cluster = try await startTLSCluster("ptls", goSeeds: false).cluster
            try await MixedClusterTests.expectConverged(cluster)
            try cluster.swift[0].broadcast("ptls-from-swift")
            try await cluster.go[2].waitForUserMessage("ptls-from-swift")
            try await cluster.go[0].broadcast("ptls-from-go")
            try await cluster.swift[2].waitForLog("received user message", ["payload": "ptls-from-go"], from: 0)

            let swiftPeers = Double(cluster.swift.count - 1)
            for node in cluster.swift {
                let port = try await AdminPagesBrowserTests.httpPort(of: node)
                func value(_ name: String) throws -> Double {
                    try AdminPagesBrowserTests.counter(port: port, "pyroscope_" + name)
                }
                // Gossip and probes reach every peer within seconds: wait until this node
                // holds a persistent connection to each memberlistd peer and has reused them.
                let deadline = ContinuousClock.now + .seconds(30)
                while try value("memberlistd_persistent_connections{direction=\"outbound\"}") < swiftPeers
                    || value("memberlistd_packets_sent_reused_total") == 0 {
                    guard ContinuousClock.now < deadline else { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(try value("memberlistd_packets_sent_reused_total") > 0, "\(node.name) reused no connection")
                // One per memberlistd peer, none to or from a Go peer.
                #expect(try value("memberlistd_persistent_connections{direction=\"outbound\"}") == swiftPeers)
                #expect(try value("memberlistd_persistent_connections{direction=\"inbound\"}") <= swiftPeers)
                // Packets to and from the Go peers still cost a handshake each.
                let handshakes = try TLSLifecycleInteropTests.handshakes(port: port)
                let later = ContinuousClock.now + .seconds(10)
                while try TLSLifecycleInteropTests.handshakes(port: port).total <= handshakes.total,
                      ContinuousClock.now < later {
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(try TLSLifecycleInteropTests.handshakes(port: port).total > handshakes.total)
            }
            await MixedClusterTests.stopAll(cluster)
        }
    }
}
