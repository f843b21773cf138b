import Foundation
import Glibc
import Testing

extension FaultSuite {
    /// A node whose wall clock jumps (issue 12, item 3), on real processes in namespaces:
    /// n2's clock is stepped back, corrected, stepped ahead and corrected again while all
    /// three nodes heartbeat a ring instance every second. Membership runs on the monotonic
    /// clock, so no step may make anyone suspect or fail anyone. The ring runs on Unix
    /// time as dskit's does (dskit-kv-ring.md 5.2): the test checks that each step does what
    /// dskit's rules say, and that the ring is healthy everywhere once the clock is right.
    @Suite(.serialized) struct ClockStepFaultTests {
        static let step = 600
        static let heartbeatTimeout = 5
        static let ringFlags = LabNode.lanTiming + [
            "-memberlistd.ring.key=fault/ring", "-memberlistd.ring.num-tokens=16",
            "-memberlistd.ring.heartbeat-period=1s", "-memberlistd.ring.heartbeat-timeout=\(heartbeatTimeout)s",
        ]

        /// Waits until `observer` sees every instance of `names` ACTIVE with `healthy(name)`.
        private func expectRing(_ observer: LabNode, _ names: [String], _ what: String,
                                healthy: (String) -> Bool) async throws {
            try await observer.waitForRing(what, timeout: .seconds(30)) { ring in
                names.allSatisfy { ring[$0]?.state == "ACTIVE" && ring[$0]?.healthy == healthy($0) }
            }
        }

        @Test(.timeLimit(.minutes(10)))
        func wallClockStepsFailNobodyAndTheRingFollowsDskitsRules() async throws {
            let lab = try NetworkLab(nodeCount: 3)
            defer { lab.remove() }
            let cluster = try await LabCluster.start(lab, count: 3, extra: Self.ringFlags)
            let names = cluster.nodes.map(\.name)
            let (n2, peers) = (cluster.nodes[2], Array(cluster.nodes.prefix(2)))
            for node in cluster.nodes {
                try await expectRing(node, names, "three healthy ACTIVE instances") { _ in true }
            }
            let marks = cluster.nodes.map(\.logMark)

            // n2's clock falls behind: its heartbeats carry older times than the ring holds,
            // so every merge ignores them and its stored heartbeat ages past the timeout on
            // n0 and n1. n2 itself sees everybody's heartbeats from its future: healthy.
            try await n2.stepWallClock(seconds: -Self.step)
            for peer in peers {
                try await expectRing(peer, names, "n2 unhealthy after its clock fell behind") { $0 != "n2" }
            }
            try await expectRing(n2, names, "all healthy from n2's clock") { _ in true }

            // Corrected: n2's heartbeats are the newest again and n2 is healthy everywhere.
            try await n2.stepWallClock(seconds: Self.step)
            for node in cluster.nodes {
                try await expectRing(node, names, "all healthy after n2's clock is corrected") { _ in true }
            }

            // n2's clock runs ahead: its heartbeats come from the peers' future (healthy for
            // them); by n2's clock every other heartbeat is `step` seconds old.
            try await n2.stepWallClock(seconds: Self.step)
            // Unix seconds, as ring heartbeats carry them (a wall-clock value, not a timing).
            let ahead = Int(Date().timeIntervalSince1970) + Self.step - 60
            for peer in peers {
                try await peer.waitForRing("n2's heartbeat from the future", timeout: .seconds(30)) { ring in
                    (ring["n2"]?.heartbeat ?? 0) >= ahead && ring["n2"]?.healthy == true
                }
            }
            try await expectRing(n2, names, "n0 and n1 unhealthy by n2's clock") { $0 == "n2" }

            // Corrected again: the future heartbeat stays stored (newer ones are ignored until
            // n2's clock passes it), so n2 stays healthy for the others, and their heartbeats
            // are fresh again by n2's clock.
            try await n2.stepWallClock(seconds: -Self.step)
            for node in cluster.nodes {
                try await expectRing(node, names, "all healthy after the second correction") { _ in true }
            }

            // No step made anyone fail anyone; everyone still lists all three alive.
            #expect(cluster.deathsLogged(since: marks).isEmpty, "\(cluster.deathsLogged(since: marks))")
            try await cluster.waitUntilAllAlive(cluster.nodes.indices, timeout: .seconds(10))
            let suspicions = zip(cluster.nodes, marks).flatMap { node, mark in node.lines("member suspected", since: mark) }
            print("clock steps of \(Self.step) s on n2: \(suspicions.count) suspicions logged, no death")
            let leaks = await cluster.tearDown()
            #expect(leaks.isEmpty, "\(leaks)")
        }

        /// The first of `nodes` to log `message` about `member` since `marks`, polling every 20 ms.
        private func firstLog(_ message: String, about member: String, on nodes: [LabNode],
                              since marks: [Int]) async throws -> LabNode {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                for (node, mark) in zip(nodes, marks) where !node.lines(message, member: member, since: mark).isEmpty {
                    return node
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw LabError.timedOut("nobody logged \(message) about \(member)")
        }

        /// A node frozen (SIGSTOP, as a VM pause or a long GC stall) sees its monotonic clock
        /// jump on resume and every overdue timer fire at once. A pause that ends once it is
        /// suspected costs nothing (it refutes); a longer one gets it declared dead, and once it
        /// runs again it refutes (memberlist-wire.md 7.4) and everyone lists it alive again.
        @Test(.timeLimit(.minutes(10)))
        func frozenNodeResumesWithoutAFalseDeathOrRefutesOne() async throws {
            let lab = try NetworkLab(nodeCount: 3)
            defer { lab.remove() }
            let cluster = try await LabCluster.start(lab, count: 3)
            let n2 = cluster.nodes[2]
            let before = try #require(try await cluster.nodes[0].members()["n2"]?.incarnation)

            // Frozen until a peer suspects it, then resumed: well inside the 4 s suspicion
            // timeout of three nodes (suspicion mult 4), so it refutes and nobody declares it dead.
            var marks = cluster.nodes.map(\.logMark)
            kill(n2.pid, SIGSTOP)
            let suspecter = try await firstLog("member suspected", about: "n2", on: Array(cluster.nodes.prefix(2)),
                                               since: Array(marks.prefix(2)))
            kill(n2.pid, SIGCONT)
            try await suspecter.waitForMembers("n2 refuted its suspicion", timeout: .seconds(30)) { members in
                members["n2"].map { $0.state == "alive" && $0.incarnation > before } ?? false
            }
            #expect(cluster.deathsLogged(since: marks).isEmpty, "\(cluster.deathsLogged(since: marks))")
            let refuted = try #require(try await suspecter.members()["n2"]?.incarnation)

            // Frozen until n0 and n1 declare it dead; resumed, it refutes and is alive again.
            marks = cluster.nodes.map(\.logMark)
            kill(n2.pid, SIGSTOP)
            for (index, node) in cluster.nodes.prefix(2).enumerated() {
                try await node.waitForLog("member failed", member: "n2", since: marks[index])
            }
            kill(n2.pid, SIGCONT)
            try await cluster.waitUntilAllAlive(cluster.nodes.indices, timeout: .seconds(30))
            let after = try #require(try await cluster.nodes[0].members()["n2"]?.incarnation)
            #expect(after > refuted, "n2 came back by refuting again: incarnation \(refuted) -> \(after)")
            let deaths = cluster.deathsLogged(since: marks)
            #expect(deaths.allSatisfy { $0.contains("member=n2") }, "only n2 was declared dead: \(deaths)")
            print("n2 frozen until dead: declared dead \(deaths.count) times, back alive at incarnation \(after)")
            let leaks = await cluster.tearDown()
            #expect(leaks.isEmpty, "\(leaks)")
        }
    }
}
