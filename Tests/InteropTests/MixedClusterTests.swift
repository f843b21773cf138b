import Foundation
import Glibc
import Testing

/// memberlistd next to real Go memberlist v0.2.2 peers on loopback
/// (ARCHITECTURE.md testing ladder, step 5): convergence from either seed,
/// user broadcasts both ways, failure detection both ways, graceful leave,
/// over memberlist's UDP transport and over dskit's TCP transport.
extension ProcessClusterTests {
    @Suite(.serialized)
    struct MixedClusterTests {
        /// A mixed cluster: 3 memberlistd and 3 Go peers.
        struct Cluster {
            var swift: [MemberlistdProcess]
            var go: [GoPeer]
            var names: [String] { swift.map(\.name) + go.map(\.name) }
        }

        /// Starts the cluster; the seed is the first Swift node or the first Go peer.
        static func start(_ prefix: String, transport: GoPeerOptions.Transport, goSeeds: Bool,
                          swiftExtra: [String] = [], goConfigure: (inout GoPeerOptions) -> Void = { _ in }) async throws -> Cluster {
            let swiftTransport = transport == .net ? "udp" : "tcp"
            var swift: [MemberlistdProcess] = []
            var go: [GoPeer] = []
            var seed = ""
            func startGo(_ index: Int) async throws {
                var options = GoPeerOptions(name: "\(prefix)-go\(index)")
                options.transport = transport
                if !(goSeeds && index == 0) { options.join = [seed] }
                goConfigure(&options)
                go.append(try await GoPeer.launch(options))
            }
            func startSwift(_ index: Int) async throws {
                let isSeed = !goSeeds && index == 0
                swift.append(try await MemberlistdProcess.launch(
                    name: "\(prefix)-sw\(index)", transport: swiftTransport, join: isSeed ? [] : [seed], extra: swiftExtra))
            }
            // Each launch returns once the node is listening, so later nodes can join it.
            if goSeeds {
                try await startGo(0)
                seed = go[0].address
                for index in 0..<3 { try await startSwift(index) }
                for index in 1..<3 { try await startGo(index) }
            } else {
                try await startSwift(0)
                seed = swift[0].address
                for index in 0..<3 { try await startGo(index) }
                for index in 1..<3 { try await startSwift(index) }
            }
            return Cluster(swift: swift, go: go)
        }

        /// Every node lists the 6 names as alive.
        static func expectConverged(_ cluster: Cluster, timeout: Duration = .seconds(30)) async throws {
            let names = Set(cluster.names)
            for node in cluster.swift {
                try await node.waitForMembers("6 alive", timeout: timeout) { members in
                    Set(members.keys) == names && members.values.allSatisfy { $0 == "alive" }
                }
            }
            for peer in cluster.go {
                try await peer.waitForMembers("6 alive", timeout: timeout) { members in
                    Set(members.map(\.name)) == names && members.allSatisfy { $0.state == "alive" }
                }
            }
        }

        /// Broadcasts both ways, then SIGKILL a Go peer and a Swift node, then SIGTERM a Swift node.
        static func exerciseFailures(_ cluster: Cluster) async throws {
            var marks = cluster.swift.map(\.logMark)
            try cluster.swift[0].broadcast("from-swift-\(cluster.swift[0].name)")
            for peer in cluster.go { try await peer.waitForUserMessage("from-swift-\(cluster.swift[0].name)") }
            for (index, node) in cluster.swift.enumerated().dropFirst() {
                try await node.waitForLog("received user message", ["payload": "from-swift-\(cluster.swift[0].name)"],
                                          from: marks[index])
            }
            marks = cluster.swift.map(\.logMark)
            try await cluster.go[0].broadcast("from-go-\(cluster.go[0].name)")
            for (index, node) in cluster.swift.enumerated() {
                try await node.waitForLog("received user message", ["payload": "from-go-\(cluster.go[0].name)"],
                                          from: marks[index])
            }

            // A crashed Go peer is declared dead by the Swift nodes.
            let crashedGo = cluster.go[2]
            marks = cluster.swift.map(\.logMark)
            _ = await crashedGo.kill()
            for (index, node) in cluster.swift.enumerated() {
                try await node.waitForLog("member failed", ["member": crashedGo.name], from: marks[index],
                                          timeout: .seconds(30))
            }
            // A crashed Swift node is declared dead by the Go peers.
            let crashedSwift = cluster.swift[2]
            _ = await crashedSwift.stop(SIGKILL)
            for peer in cluster.go.prefix(2) {
                try await peer.waitForEvent("leave", node: crashedSwift.name, state: "dead", timeout: .seconds(30))
            }
            // A SIGTERMed Swift node leaves: seen as left, and it exits 0.
            let leaving = cluster.swift[1]
            let survivorMark = cluster.swift[0].logMark
            let status = await leaving.stop(SIGTERM)
            #expect(status == 0, "memberlistd exits 0 after a graceful leave")
            for peer in cluster.go.prefix(2) {
                try await peer.waitForEvent("leave", node: leaving.name, state: "left", timeout: .seconds(20))
            }
            try await cluster.swift[0].waitForLog("member left", ["member": leaving.name], from: survivorMark)
        }

        static func stopAll(_ cluster: Cluster) async {
            for node in cluster.swift { _ = await node.stop(SIGKILL, timeout: .seconds(2)) }
            for peer in cluster.go { _ = await peer.kill() }
        }

        @Test func udpTransportSwiftSeeds() async throws {
            let cluster = try await Self.start("mixu", transport: .net, goSeeds: false)
            let started = ContinuousClock.now
            try await Self.expectConverged(cluster)
            print("mixed udp cluster converged in \(ContinuousClock.now - started)")
            try await Self.exerciseFailures(cluster)
            await Self.stopAll(cluster)
        }

        @Test func udpTransportGoSeeds() async throws {
            let cluster = try await Self.start("mixg", transport: .net, goSeeds: true)
            try await Self.expectConverged(cluster)
            try await Self.exerciseFailures(cluster)
            await Self.stopAll(cluster)
        }

        @Test func dskitTransportGoSeeds() async throws {
            let cluster = try await Self.start("mixd", transport: .dskit, goSeeds: true)
            try await Self.expectConverged(cluster)
            try await Self.exerciseFailures(cluster)
            await Self.stopAll(cluster)
        }

        @Test func dskitTransportSwiftSeeds() async throws {
            let cluster = try await Self.start("mixs", transport: .dskit, goSeeds: false)
            try await Self.expectConverged(cluster)
            await Self.stopAll(cluster)
        }
    }
}
