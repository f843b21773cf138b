import Foundation
import NetworkTestSupport
import Testing

/// Real Go memberlist v0.2.2 peers (Interop/go/peer) on loopback, proving the
/// Go side of the interop harness: membership convergence, user-message
/// relay, failure detection (memberlist-wire.md §7), leave (§9), keyring
/// encryption (§5) and dskit's TCP/TLS transport (dskit-kv-ring.md §1).
extension ProcessClusterTests {
    @Suite(.serialized)
    struct GoMemberlistClusterTests {
        /// Starts `count` peers named `prefix-0...`; each later one joins the first.
        private func startCluster(
            _ prefix: String, count: Int = 3, configure: (inout GoPeerOptions, Int) throws -> Void = { _, _ in }
        ) async throws -> [GoPeer] {
            var peers: [GoPeer] = []
            for index in 0..<count {
                var options = GoPeerOptions(name: "\(prefix)-\(index)")
                if index > 0 { options.join = [peers[0].address] }
                try configure(&options, index)
                peers.append(try await GoPeer.launch(options))
            }
            for peer in peers.dropFirst() {
                let reply = try await peer.waitFor("join result") { $0.event == "joined" || $0.event == "join_error" }
                #expect(reply.event == "joined", "\(peer.name): \(reply)")
                #expect(reply.count == 1)
            }
            return peers
        }

        /// Waits until every peer lists exactly `peers` as alive at their addresses.
        private func expectConverged(_ peers: [GoPeer]) async throws {
            let expected = Dictionary(uniqueKeysWithValues: peers.map { ($0.name, $0.address) })
            for peer in peers {
                let members = try await peer.waitForMembers("\(expected.count) alive members") { members in
                    members.count == expected.count
                        && members.allSatisfy { $0.state == "alive" && expected[$0.name] == $0.addr }
                }
                #expect(members.allSatisfy { $0.incarnation >= 1 }, "memberlist never announces incarnation 0")
            }
        }

        @Test func peerWithUnreadableKeyFailsAtLaunchWithItsError() async throws {
            var options = GoPeerOptions(name: "badkey")
            options.keyFile = "/nonexistent/memberlistd-key"
            do {
                _ = try await GoPeer.launch(options)
                Issue.record("a peer without its key file must not become ready")
            } catch let GoPeerError.exited(_, peer, recent, _) {
                #expect(peer == "badkey")
                #expect(recent.contains { $0.contains("\"fatal\"") && $0.contains("/nonexistent/memberlistd-key") })
            }
        }

        @Test func threePeersConvergeToThreeAlive() async throws {
            let peers = try await startCluster("converge")
            try await expectConverged(peers)
            for peer in peers {
                for other in peers where other !== peer {
                    let join = try await peer.waitForEvent("join", node: other.name)
                    #expect(join.addr == other.address)
                    #expect(join.state == "alive")
                }
            }
        }

        @Test func userBroadcastReachesEveryPeerThroughRelay() async throws {
            // relay-0 cannot send packets to relay-2, so relay-2 can only learn
            // relay-0's message from relay-1 re-gossiping it. relay-2's port is
            // known only once it runs, so the drop starts then (before any broadcast).
            var peers: [GoPeer] = []
            for index in 0..<3 {
                var options = GoPeerOptions(name: "relay-\(index)")
                if index > 0 { options.join = [peers[index - 1].address] }
                peers.append(try await GoPeer.launch(options))
            }
            try await peers[0].dropPackets(to: peers[2].address)
            try await expectConverged(peers)

            try await peers[0].broadcast("hello from relay-0")
            try await peers[1].waitForUserMessage("hello from relay-0")
            try await peers[2].waitForUserMessage("hello from relay-0")
            let stats = try await peers[0].stats()
            #expect((stats["packets_filtered"] ?? 0) > 0, "relay-0 must really have dropped packets to relay-2")

            try await peers[2].broadcast("hello from relay-2")
            try await peers[0].waitForUserMessage("hello from relay-2")
            try await peers[1].waitForUserMessage("hello from relay-2")
        }

        /// `kv_state` lists every pair a push/pull carried, also one the receiver already holds
        /// (gossip can deliver a pair before the join's reply is merged; KVInteropTests relies on
        /// this): both peers hold the same pair, the second joins the first.
        @Test func pushPullStateListsAPairTheReceiverAlreadyHolds() async throws {
            let value = Array("same bytes on both".utf8)
            var peers: [GoPeer] = []
            for index in 0..<2 {
                peers.append(try await GoPeer.launch(GoPeerOptions(name: "held-\(index)")))
                try await peers[index].setKV(key: "held/key", codec: "string", value: value, broadcast: false)
            }
            let marks = peers.map(\.eventCount)
            #expect(try await peers[1].join([peers[0].address]) == 1)
            for (peer, mark) in zip(peers, marks) {
                let state = try await peer.waitFor("join push/pull state", from: mark) {
                    $0.event == "kv_state" && $0.join == true
                }
                #expect(state.pairs?.map(\.key) == ["held/key"], "\(peer.name): \(state)")
                #expect(state.pairs?.first?.value == value)
                #expect(state.changed == [], "\(peer.name) already held the pair")
            }
        }

        @Test func killedPeerIsReportedDead() async throws {
            let peers = try await startCluster("kill")
            try await expectConverged(peers)
            let victim = peers[2]
            let status = await victim.kill()
            #expect(status == SIGKILL)
            for peer in peers.prefix(2) {
                try await peer.waitForEvent("leave", node: victim.name, state: "dead")
                try await peer.waitForMembers("\(victim.name) dead") { members in
                    members.contains { $0.name == victim.name && $0.state == "dead" }
                        && members.filter { $0.state == "alive" }.count == 2
                }
            }
        }

        @Test func terminatedPeerIsReportedLeft() async throws {
            let peers = try await startCluster("term")
            try await expectConverged(peers)
            let leaver = peers[2]
            let status = await leaver.terminate()
            #expect(status == 0, "SIGTERM must leave, shut down and exit 0; stderr:\n\(leaver.stderrText(last: 2000))")
            try await leaver.waitFor("left") { $0.event == "left" }
            for peer in peers.prefix(2) {
                try await peer.waitForEvent("leave", node: leaver.name, state: "left")
                try await peer.waitForMembers("\(leaver.name) left") { members in
                    members.contains { $0.name == leaver.name && $0.state == "left" }
                        && members.filter { $0.state == "alive" }.count == 2
                }
            }
        }

        @Test func sharedKeyConvergesAndWrongKeyStaysOut() async throws {
            let directory = try TestFiles.makeDirectory("keys")
            defer { try? FileManager.default.removeItem(at: directory) }
            let key = Data((0..<32).map { UInt8($0 * 7 & 0xFF) })
            let hexKey = try TestFiles.write(key.map { String(format: "%02x", $0) }.joined(), named: "key.hex", in: directory)
            let base64Key = try TestFiles.write(key.base64EncodedString(), named: "key.b64", in: directory)
            let wrongKey = try TestFiles.write(Data(repeating: 0x42, count: 16).base64EncodedString(), named: "wrong.b64", in: directory)

            let peers = try await startCluster("keyring") { options, index in
                options.keyFile = index == 1 ? base64Key : hexKey
            }
            try await expectConverged(peers)

            var intruderOptions = GoPeerOptions(name: "keyring-intruder")
            intruderOptions.keyFile = wrongKey
            intruderOptions.join = [peers[0].address]
            let intruder = try await GoPeer.launch(intruderOptions)
            let reply = try await intruder.waitFor("join result") { $0.event == "joined" || $0.event == "join_error" }
            #expect(reply.event == "join_error", "a peer with the wrong key must not join: \(reply)")
            #expect(try await intruder.members().map(\.name) == ["keyring-intruder"])
            for peer in peers {
                let members = try await peer.members()
                #expect(!members.contains { $0.name == intruder.name })
                #expect(members.filter { $0.state == "alive" }.count == 3)
            }
        }

        @Test func dskitTransportWithTLSFormsClusterAndRejectsRogueCertificate() async throws {
            let tls = GoPeerOptions.TLS(
                certPath: try TestFiles.certificate("node.pem"), keyPath: try TestFiles.certificate("node.key"),
                caPath: try TestFiles.certificate("ca.pem"), minVersion: "VersionTLS12")
            let peers = try await startCluster("tls") { options, _ in
                options.transport = .dskit
                options.tls = tls
            }
            try await expectConverged(peers)
            try await peers[1].broadcast("over TLS")
            try await peers[0].waitForUserMessage("over TLS")
            try await peers[2].waitForUserMessage("over TLS")
            let stats = try await peers[0].stats()
            #expect((stats["packets_received"] ?? 0) > 0)
            #expect((stats["streams_incoming"] ?? 0) > 0)
            #expect(stats["packets_digest_mismatch"] == 0)

            var rogueOptions = GoPeerOptions(name: "tls-rogue")
            rogueOptions.transport = .dskit
            rogueOptions.tls = GoPeerOptions.TLS(
                certPath: try TestFiles.certificate("rogue.pem"), keyPath: try TestFiles.certificate("rogue.key"),
                caPath: try TestFiles.certificate("other-ca.pem"))
            rogueOptions.join = [peers[0].address]
            let rogue = try await GoPeer.launch(rogueOptions)
            let reply = try await rogue.waitFor("join result") { $0.event == "joined" || $0.event == "join_error" }
            #expect(reply.event == "join_error", "a peer whose certificate chain is untrusted must not join: \(reply)")
            for peer in peers {
                let members = try await peer.members()
                #expect(!members.contains { $0.name == rogue.name })
            }
        }

        /// dskit servers do not request client certificates, so a peer holding
        /// an untrusted certificate but trusting the real CA can dial in and
        /// join; the real nodes can never dial it back (its server certificate
        /// fails verification), so their probes fail and they declare it dead.
        @Test func dskitTLSRogueTrustingRealCAJoinsButIsDeclaredDead() async throws {
            let ca = try TestFiles.certificate("ca.pem")
            let peers = try await startCluster("tlsca", count: 2) { options, _ in
                options.transport = .dskit
                options.tls = GoPeerOptions.TLS(
                    certPath: try TestFiles.certificate("node.pem"), keyPath: try TestFiles.certificate("node.key"), caPath: ca)
            }
            try await expectConverged(peers)

            var rogueOptions = GoPeerOptions(name: "tlsca-rogue")
            rogueOptions.transport = .dskit
            rogueOptions.tls = GoPeerOptions.TLS(
                certPath: try TestFiles.certificate("rogue.pem"), keyPath: try TestFiles.certificate("rogue.key"), caPath: ca)
            rogueOptions.join = [peers[0].address]
            let rogue = try await GoPeer.launch(rogueOptions)
            let reply = try await rogue.waitFor("join result") { $0.event == "joined" || $0.event == "join_error" }
            #expect(reply.event == "joined", "the TLS server side checks no client certificate: \(reply)")
            for peer in peers {
                try await peer.waitForEvent("leave", node: rogue.name, state: "dead")
                let stats = try await peer.stats()
                #expect((stats["packets_sent_errors"] ?? 0) > 0, "dialling the rogue must fail certificate verification")
            }
        }

        /// dskit counts and logs a packet whose MD5 does not match but still
        /// delivers it; the source memberlist sees is the header address
        /// (dskit-kv-ring.md §1). A user message `[0x08][payload]` makes the
        /// delivery visible.
        @Test func dskitPacketWithBadDigestIsStillDelivered() async throws {
            var options = GoPeerOptions(name: "digest")
            options.transport = .dskit
            let peer = try await GoPeer.launch(options)

            func packet(_ payload: [UInt8], digest: [UInt8]) -> [UInt8] {
                let from = Array("127.0.0.1:9".utf8)
                return [0x01, UInt8(from.count)] + from + payload + digest
            }
            let badDigest = [UInt8](repeating: 0xAB, count: 16)
            try LoopbackTCP.send(packet([0x08] + Array("despite bad md5".utf8), digest: badDigest), toPort: peer.port)
            try await peer.waitForUserMessage("despite bad md5")

            try LoopbackTCP.send([0x01, 0x00] + [UInt8](repeating: 0, count: 15), toPort: peer.port)  // < 16 bytes
            try LoopbackTCP.send([0x07, 0x01, 0x02], toPort: peer.port)  // unknown connection type
            let stats = try await peer.waitForStats("malformed connections counted") {
                $0["unknown_connections"] == 1 && $0["packets_received_errors"] == 2
            }
            #expect(stats["packets_digest_mismatch"] == 1)
            #expect(stats["packets_received"] == 2)
        }

        @Test func dskitTransportWithoutTLSFormsCluster() async throws {
            let peers = try await startCluster("dskit") { options, _ in options.transport = .dskit }
            try await expectConverged(peers)
            try await peers[2].broadcast("over plain dskit TCP")
            try await peers[0].waitForUserMessage("over plain dskit TCP")
            try await peers[1].waitForUserMessage("over plain dskit TCP")

            let binary: [UInt8] = [0x00, 0xFF, 0x80, 0x0A, 0xC3]  // not UTF-8, contains a newline byte
            try await peers[0].broadcast(bytes: binary)
            try await peers[1].waitForUserMessage(bytes: binary)
            try await peers[2].waitForUserMessage(bytes: binary)
            let stats = try await peers[1].stats()
            #expect((stats["packets_sent"] ?? 0) > 0)
            #expect(stats["packets_digest_mismatch"] == 0)
        }
    }
}
