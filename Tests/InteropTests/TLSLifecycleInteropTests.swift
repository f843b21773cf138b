import Foundation
import Glibc
import NetworkTestSupport
import Testing

/// Issue 14 with real processes: memberlistd resumes TLS sessions with a Go crypto/tls
/// server, and a running TLS cluster takes a new CA and new node certificates without a
/// restart and without a member marked dead.
extension ProcessClusterTests {
    @Suite(.serialized)
    struct TLSLifecycleInteropTests {
        /// `memberlistd_tls_handshakes_total` of one node, by role and session.
        struct Handshakes: CustomStringConvertible {
            var clientFull = 0.0, clientResumed = 0.0, serverFull = 0.0, serverResumed = 0.0
            var total: Double { clientFull + clientResumed + serverFull + serverResumed }
            var description: String {
                "client \(Int(clientFull)) full / \(Int(clientResumed)) resumed, "
                    + "server \(Int(serverFull)) full / \(Int(serverResumed)) resumed"
            }
        }

        static func metric(port: UInt16, _ series: String) throws -> Double {
            try AdminPagesBrowserTests.counter(port: port, "pyroscope_" + series)
        }

        static func handshakes(port: UInt16) throws -> Handshakes {
            func value(_ role: String, _ session: String) throws -> Double {
                try metric(port: port, "memberlistd_tls_handshakes_total{role=\"\(role)\",session=\"\(session)\"}")
            }
            return Handshakes(clientFull: try value("client", "full"), clientResumed: try value("client", "resumed"),
                              serverFull: try value("server", "full"), serverResumed: try value("server", "resumed"))
        }

        /// Reads the node's handshake counters every 100 ms until `condition` holds.
        @discardableResult
        static func waitForHandshakes(_ node: MemberlistdProcess, port: UInt16, _ what: String,
                                      timeout: Duration = .seconds(20),
                                      until condition: (Handshakes) -> Bool) async throws -> Handshakes {
            let deadline = ContinuousClock.now + timeout
            var last = try handshakes(port: port)
            while !condition(last) {
                guard ContinuousClock.now < deadline else {
                    throw GoPeerError.timedOut(waitingFor: "\(what); last: \(last)", peer: node.name, recent: [],
                                               stderrTail: node.recentLog())
                }
                try await Task.sleep(for: .milliseconds(100))
                last = try handshakes(port: port)
            }
            return last
        }

        /// A Go dskit peer's TLS server (crypto/tls) issues session tickets by default: every
        /// packet memberlistd sends it is a new connection, and after the first ones they
        /// resume. The Go client keeps no session cache and offers no ALPN, so memberlistd
        /// gives it no ticket and nothing resumes the other way.
        @Test(arguments: ["VersionTLS13", "VersionTLS12"])
        func memberlistdResumesWithGoServer(version: String) async throws {
            let cert = try TestFiles.certificate("node.pem"), key = try TestFiles.certificate("node.key")
            let ca = try TestFiles.certificate("ca.pem")
            let suffix = version == "VersionTLS13" ? "13" : "12"
            var options = GoPeerOptions(name: "res\(suffix)-go")
            options.transport = .dskit
            options.tls = GoPeerOptions.TLS(certPath: cert, keyPath: key, caPath: ca, maxVersion: version)
            let go = try await GoPeer.launch(options)
            let swift = try await MemberlistdProcess.launch(
                name: "res\(suffix)-swift", transport: "tcp", join: [go.address],
                extra: ["-memberlist.tls-enabled", "-memberlist.tls-cert-path=\(cert)",
                        "-memberlist.tls-key-path=\(key)", "-memberlist.tls-ca-path=\(ca)"])
            try await swift.waitForMembers("both alive") {
                $0 == ["res\(suffix)-go": "alive", "res\(suffix)-swift": "alive"]
            }
            let port = try await AdminPagesBrowserTests.httpPort(of: swift)
            let seen = try await Self.waitForHandshakes(swift, port: port, "client handshakes resumed with Go") {
                $0.clientResumed >= 5
            }
            #expect(seen.serverResumed == 0, "\(seen)")
            // Still a working cluster: a broadcast reaches the Go peer.
            try swift.broadcast("resumed-\(suffix)")
            try await go.waitForUserMessage("resumed-\(suffix)")
            _ = await swift.stop(SIGKILL)
            _ = await go.kill()
        }

        /// One node's TLS files mounted the way Kubernetes mounts a secret: cert.pem,
        /// key.pem and ca.pem link into `current`, which links to a version directory;
        /// ``install`` writes a version and swaps `current` with one rename, so a reload
        /// never sees a new certificate with the old key.
        struct MountedTLSFiles: Sendable {
            let directory: String
            var certificate: String { directory + "/cert.pem" }
            var flags: [String] {
                ["-memberlist.tls-enabled", "-memberlist.tls-cert-path=\(certificate)",
                 "-memberlist.tls-key-path=\(directory)/key.pem", "-memberlist.tls-ca-path=\(directory)/ca.pem",
                 "-memberlist.tls-require-client-cert"]
            }

            init(_ label: String) throws {
                directory = try TestFiles.makeDirectory("tls-\(label)").path
                for name in ["cert.pem", "key.pem", "ca.pem"] {
                    try FileManager.default.createSymbolicLink(atPath: directory + "/" + name,
                                                               withDestinationPath: "current/" + name)
                }
            }

            /// Writes `version` (the certificate's text, the key from the PKI, the CA bundle
            /// of `cas` concatenated) and makes it current.
            func install(_ version: String, certificateText: String, key: String, cas: [String]) throws {
                let target = directory + "/" + version
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
                try Data(certificateText.utf8).write(to: URL(fileURLWithPath: target + "/cert.pem"))
                try FileManager.default.copyItem(atPath: try TestFiles.certificate(key), toPath: target + "/key.pem")
                let bundle = try cas.map { try String(contentsOfFile: try TestFiles.certificate($0), encoding: .utf8) }
                try Data(bundle.joined().utf8).write(to: URL(fileURLWithPath: target + "/ca.pem"))
                let link = directory + "/current.next"
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: version)
                guard rename(link, directory + "/current") == 0 else {
                    throw GoPeerError.launchFailed("rename \(link): errno \(errno)")
                }
            }

            func install(_ version: String, certificate: String, key: String, cas: [String]) throws {
                try install(version, certificateText: try String(contentsOfFile: try TestFiles.certificate(certificate),
                                                                 encoding: .utf8), key: key, cas: cas)
            }
        }

        /// A 3-node cluster with mutual TLS rotates its CA and its certificates while
        /// running: trust the new CA alongside the old (a bundle), then present
        /// certificates of the new CA, then drop the old CA. Nodes 0 and 1 notice the
        /// changed files (checked every 200 ms), node 2 only reloads on SIGHUP. Each step
        /// goes node by node: wait for its "TLS files reloaded" line (a reload ends its
        /// persistent connections and forgets its sessions and ticket keys), then for new
        /// full handshakes from it, with no send failing. Then a corrupt certificate
        /// is refused on node 0 with one log line naming the file, and node 0 keeps
        /// serving: a new node joins through it. No node ever logs "member failed".
        @Test func rotatingCAAndCertificatesOfARunningClusterMarksNoMemberDead() async throws {
            // make-test-certs: node.pem is signed by ca, rogue.pem (same SANs) by other-ca.
            let mounts = try (0..<3).map { try MountedTLSFiles("rot\($0)") }
            for files in mounts { try files.install("v1", certificate: "node.pem", key: "node.key", cas: ["ca.pem"]) }
            let watching = ["-memberlist.tls-reload-interval=200ms"]
            var nodes: [MemberlistdProcess] = []
            nodes.append(try await MemberlistdProcess.launch(name: "rot-0", transport: "tcp",
                                                             extra: mounts[0].flags + watching))
            nodes.append(try await MemberlistdProcess.launch(name: "rot-1", transport: "tcp", join: [nodes[0].address],
                                                             extra: mounts[1].flags + watching))
            nodes.append(try await MemberlistdProcess.launch(
                name: "rot-2", transport: "tcp", join: [nodes[0].address],
                extra: mounts[2].flags + ["-memberlist.tls-reload-interval=0"]))
            let allAlive = ["rot-0": "alive", "rot-1": "alive", "rot-2": "alive"]
            for node in nodes { try await node.waitForMembers("3 alive") { $0 == allAlive } }
            var ports: [UInt16] = []
            for node in nodes { ports.append(try await AdminPagesBrowserTests.httpPort(of: node)) }

            /// One node at a time, so each node's new files meet peers still on the previous
            /// step: a missing bundle step would make its handshakes fail here.
            func step(_ version: String, certificate: String, key: String, cas: [String]) async throws {
                for (index, node) in nodes.enumerated() {
                    let port = ports[index], mark = node.logMark
                    let before = try Self.handshakes(port: port)
                    let errors = "memberlist_tcp_transport_packets_sent_errors_total"
                    let streamErrors = "memberlist_tcp_transport_outgoing_stream_errors_total"
                    let errorsBefore = try Self.metric(port: port, errors) + Self.metric(port: port, streamErrors)
                    try mounts[index].install(version, certificate: certificate, key: key, cas: cas)
                    if index == 2 { node.signal(SIGHUP) }
                    try await node.waitForLog("TLS files reloaded", ["trigger": index == 2 ? "SIGHUP" : "file change"],
                                              from: mark)
                    // Its sessions and connections are gone: its next connections are full
                    // handshakes, verified with the new files on its side and the current
                    // ones on its peers' side, and none fails.
                    try await Self.waitForHandshakes(node, port: port, "2 full client handshakes after \(version)") {
                        $0.clientFull >= before.clientFull + 2
                    }
                    #expect(try Self.metric(port: port, errors) + Self.metric(port: port, streamErrors) == errorsBefore,
                            "\(node.name) failed to send after reloading \(version)")
                    try await node.waitForMembers("3 alive after \(version)") { $0 == allAlive }
                }
            }
            try await step("v2", certificate: "node.pem", key: "node.key", cas: ["ca.pem", "other-ca.pem"])
            try await step("v3", certificate: "rogue.pem", key: "rogue.key", cas: ["ca.pem", "other-ca.pem"])
            try await step("v4", certificate: "rogue.pem", key: "rogue.key", cas: ["other-ca.pem"])
            for port in ports {
                #expect(try Self.metric(port: port, "memberlistd_tls_reloads_total{result=\"success\"}") == 3)
                #expect(try Self.metric(port: port, "memberlistd_tls_reloads_total{result=\"failure\"}") == 0)
            }

            // A corrupt certificate on node 0: refused once, naming the file; the old one stays.
            let mark = nodes[0].logMark
            try mounts[0].install("v5", certificateText: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
                                  key: "rogue.key", cas: ["other-ca.pem"])
            let refusal = "TLS reload refused; the previous files stay in use"
            try await nodes[0].waitForLog(refusal, ["file": mounts[0].certificate], from: mark)
            let joinerFiles = try MountedTLSFiles("rot3")
            try joinerFiles.install("v4", certificate: "rogue.pem", key: "rogue.key", cas: ["other-ca.pem"])
            let joiner = try await MemberlistdProcess.launch(name: "rot-3", transport: "tcp", join: [nodes[0].address],
                                                            extra: joinerFiles.flags + watching)
            var four = allAlive
            four["rot-3"] = "alive"
            try await joiner.waitForMembers("4 alive") { $0 == four }
            try await nodes[0].waitForMembers("4 alive") { $0 == four }
            #expect(nodes[0].logs.dropFirst(mark).filter { $0["msg"] == refusal }.count == 1)
            #expect(try Self.metric(port: ports[0], "memberlistd_tls_reloads_total{result=\"failure\"}") == 1)

            for node in nodes + [joiner] {
                let failed = node.logs.filter { $0["msg"] == "member failed" }.compactMap { $0["_line"] }
                #expect(failed.isEmpty, "\(node.name): \(failed)")
            }
            for node in nodes + [joiner] { _ = await node.stop(SIGKILL) }
        }
    }
}
