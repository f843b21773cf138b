import Config
import EventLoop
import Membership
import NetworkTestSupport
import Testing
@testable import Node

/// `GossipNode`s on one loop over `InMemoryNetwork`: join with retries, user
/// broadcasts relayed once, graceful leave (ARCHITECTURE.md testing ladder,
/// in-process step). Every wait is for a fact, with a deadline.
@Suite(.serialized) struct GossipNodeClusterTests {
    /// A node, its name and what it reported.
    final class Peer {
        let node: GossipNode
        var userMessages: [[UInt8]] = []
        var joinReports: [ClusterJoinReport] = []
        var leftMembers: [String] = []
        var leaveResult: LeaveResult?
        var stopped = false
        init(node: GossipNode) { self.node = node }

        func sees(alive names: Set<String>) -> Bool {
            let alive = node.members.filter { $0.state == .alive }.map(\.name)
            return Set(alive) == names && alive.count == names.count
        }
    }

    static func address(_ index: Int) -> SocketAddress {
        SocketAddress(ip: "10.0.0.\(index)", port: 7946)!
    }

    /// A UDP-transport node (100 ms grace) with loopback-fast timings.
    static func makePeer(_ name: String, _ index: Int, network: InMemoryNetwork, script: LoopScript,
                         extra: [String] = []) throws -> Peer {
        let config = try NodeConfig.parse([
            "-memberlist.transport=udp", "-memberlist.nodename=\(name)", "-memberlist.randomize-node-name=false",
            "-memberlist.probe-interval=100ms", "-memberlist.probe-timeout=50ms", "-memberlist.gossip-interval=20ms",
            "-memberlist.pullpush-interval=1s", "-memberlist.suspicion-mult=1", "-memberlist.stream-timeout=1s",
        ] + extra)
        let node = try GossipNode(config: config, loop: network.loop, logger: Logger(level: .error)) { _ in
            network.attach(address(index))
        }
        let peer = Peer(node: node)
        node.onEvent = { [weak peer, weak script] event in
            switch event {
            case .userMessage(let payload): peer?.userMessages.append(payload)
            case .membership(.left(let member)): peer?.leftMembers.append(member.name)
            case .membership: break
            }
            script?.poke()
        }
        return peer
    }

    /// Starts a node; a failure is recorded (the script then times out naming its step).
    static func start(_ peer: Peer?) {
        do { try peer?.node.start() } catch { Issue.record("start failed: \(error)") }
    }

    func join(_ peer: Peer, _ seed: Int, schedule: JoinSchedule, script: LoopScript) {
        peer.node.joinCluster([JoinSeed(host: "10.0.0.\(seed)", port: 7946)], schedule: schedule) { [weak script] report in
            peer.joinReports.append(report)
            script?.poke()
        }
    }

    @Test func threeNodesJoinRelayABroadcastOnceAndSeeALeave() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let peers = try ["a", "b", "c"].enumerated().map { try Self.makePeer($1, $0 + 1, network: network, script: script) }
        let all: Set<String> = ["a", "b", "c"]
        let schedule = JoinSchedule(maxAttempts: 3, minBackoff: .milliseconds(20), maxBackoff: .milliseconds(40))
        let payload = Array("deploy v2".utf8)

        script.step("every node sees a, b, c alive", until: { peers.allSatisfy { $0.sees(alive: all) } }) {
            peers[0].node.broadcast(payload)
        }
        script.step("b and c received the broadcast", until: {
            peers.dropFirst().allSatisfy { $0.userMessages.contains(payload) }
        })
        script.step("every broadcast queue drained", until: {
            peers.allSatisfy { $0.node.core.queuedBroadcasts.user == 0 }
        }) {
            peers[2].node.leaveAndShutdown(timeout: .seconds(5), left: { peers[2].leaveResult = $0; script.poke() },
                                           stopped: { peers[2].stopped = true; script.poke() })
        }
        script.step("a and b saw c leave, c stopped", until: {
            peers[2].stopped && peers.prefix(2).allSatisfy { $0.leftMembers.contains("c") }
        }) {
            for peer in peers { peer.node.shutdown() }
        }
        let finished = try script.run(within: .seconds(20)) {
            for peer in peers { Self.start(peer) }
            join(peers[1], 1, schedule: schedule, script: script)
            join(peers[2], 1, schedule: schedule, script: script)
        }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        #expect(peers[0].userMessages.isEmpty, "the origin does not deliver its own broadcast")
        #expect(peers[1].userMessages == [payload], "delivered once although relayed by every node")
        #expect(peers[2].userMessages == [payload])
        #expect(peers[1].joinReports.count == 1)
        if case .joined(let attempt, let outcome)? = peers[1].joinReports.first {
            #expect(attempt == 1 && outcome.successes == 1)
        } else {
            Issue.record("b did not join: \(peers[1].joinReports)")
        }
        #expect(peers[2].leaveResult == .broadcastComplete)
        #expect(peers[2].node.isShutDown)
    }

    @Test func joinRetriesWithBackoffUntilTheSeedComesUp() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let joiner = try Self.makePeer("joiner", 2, network: network, script: script)
        var seed: Peer?
        let schedule = JoinSchedule(maxAttempts: 5, minBackoff: .milliseconds(30), maxBackoff: .milliseconds(60))

        script.step("the first attempt failed", until: { !joiner.joinReports.isEmpty }) {
            // The seed comes up only now, so only a retry can reach it.
            do { seed = try Self.makePeer("seed", 1, network: network, script: script) } catch {
                Issue.record("seed: \(error)")
            }
            Self.start(seed)
        }
        script.step("joined", until: {
            joiner.joinReports.contains { if case .joined = $0 { true } else { false } }
        }) {
            joiner.node.shutdown()
            seed?.node.shutdown()
        }
        let finished = try script.run(within: .seconds(10)) {
            Self.start(joiner)
            join(joiner, 1, schedule: schedule, script: script)
        }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        guard case .attemptFailed(1, let outcome, let retryIn?)? = joiner.joinReports.first else {
            Issue.record("first report: \(joiner.joinReports)")
            return
        }
        #expect(outcome.successes == 0 && !outcome.failures.isEmpty)
        #expect(retryIn >= .milliseconds(30) && retryIn < .milliseconds(60))
        #expect(joiner.joinReports.count == 2)
        #expect(joiner.joinReports.last == .joined(attempt: 2, outcome: JoinOutcome(successes: 1, failures: [])))
    }

    @Test func joinGivesUpAfterTheLastAttempt() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let joiner = try Self.makePeer("alone", 2, network: network, script: script)
        let schedule = JoinSchedule(maxAttempts: 2, minBackoff: .milliseconds(10), maxBackoff: .milliseconds(10))
        script.step("gave up", until: {
            joiner.joinReports.contains { if case .gaveUp = $0 { true } else { false } }
        }) { joiner.node.shutdown() }
        let finished = try script.run(within: .seconds(10)) {
            Self.start(joiner)
            join(joiner, 1, schedule: schedule, script: script)
        }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        let kinds = joiner.joinReports.map { report -> String in
            switch report {
            case .joined: "joined"
            case .attemptFailed(let attempt, _, let retryIn): "failed \(attempt) retry \(retryIn.map { "\($0)" } ?? "none")"
            case .gaveUp(let attempts): "gave up \(attempts)"
            }
        }
        #expect(kinds == ["failed 1 retry 0.01 seconds", "failed 2 retry none", "gave up 2"])
    }

    @Test func leaveStopsWaitingOnceNoLivePeerRemains() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let a = try Self.makePeer("a", 1, network: network, script: script)
        // 400 transmissions of b's leave at 20 ms take 8 s; a is declared dead well before.
        let b = try Self.makePeer("b", 2, network: network, script: script, extra: ["-memberlist.retransmit-factor=400"])
        let schedule = JoinSchedule(maxAttempts: 3, minBackoff: .milliseconds(20), maxBackoff: .milliseconds(40))

        script.step("a and b see each other", until: { a.sees(alive: ["a", "b"]) && b.sees(alive: ["a", "b"]) }) {
            // a vanishes without leaving; b's leave can then never be gossiped.
            a.node.shutdown()
            b.node.leaveAndShutdown(timeout: .seconds(30), left: { b.leaveResult = $0; script.poke() },
                                    stopped: { b.stopped = true; script.poke() })
        }
        script.step("b stopped", until: { b.stopped })
        let finished = try script.run(within: .seconds(20)) {
            Self.start(a)
            Self.start(b)
            join(b, 1, schedule: schedule, script: script)
        }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        #expect(b.leaveResult == .noLivePeers, "b must not wait the 30 s leave timeout")
        #expect(b.node.isShutDown)
    }

    /// Weak references to what a finished run should have freed.
    final class FreedCheck {
        weak var loop: EventLoop?
        var nodes: [() -> GossipNode?] = []
    }

    /// Nodes are freed with their loop once stopped, although the closures given to them
    /// capture them: the departure drops `leaveAndShutdown`'s closures once it has called
    /// them, and shutdown drops KV watch handlers and `onEvent` (the LeakSanitizer run of
    /// docs/test-reliability.md found nodes kept alive both ways).
    @Test func stoppedNodesAreFreedWithTheirLoopDespiteCallbacksThatCaptureThem() throws {
        let check = FreedCheck()
        try {
            let script = try LoopScript()
            let network = InMemoryNetwork(loop: script.loop)
            let peers = try ["a", "b"].enumerated().map { try Self.makePeer($1, $0 + 1, network: network, script: script) }
            check.loop = script.loop
            check.nodes = peers.map { peer in { [weak node = peer.node] in node } }
            peers[0].node.kvWatchKey("any") { _ in _ = peers }
            peers[0].node.onEvent = { _ in _ = peers }
            let schedule = JoinSchedule(maxAttempts: 3, minBackoff: .milliseconds(20), maxBackoff: .milliseconds(40))
            script.step("a and b see each other", until: { peers.allSatisfy { $0.sees(alive: ["a", "b"]) } }) {
                peers[1].node.leaveAndShutdown(timeout: .seconds(2), left: { peers[1].leaveResult = $0; script.poke() },
                                               stopped: { peers[1].stopped = true; script.poke() })
            }
            script.step("b left and stopped", until: { peers[1].stopped }) { peers[0].node.shutdown() }
            let finished = try script.run(within: .seconds(10)) {
                for peer in peers { Self.start(peer) }
                join(peers[1], 1, schedule: schedule, script: script)
            }
            #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        }()
        #expect(check.loop == nil, "the loop outlived its run")
        #expect(check.nodes.map { $0() == nil } == [true, true], "a node outlived its run")
    }
}

/// dskit's join lifecycle (dskit-kv-ring.md §4) on `GossipNode`s: fast join,
/// then full join, then rejoin through the seeds.
@Suite(.serialized) struct JoinLifecycleTests {
    typealias Peer = GossipNodeClusterTests.Peer

    final class Reports {
        var items: [JoinLifecycleReport] = []
    }

    func run(_ peer: Peer, _ reports: Reports, script: LoopScript) {
        peer.node.runJoinLifecycle { [weak script] report in
            reports.items.append(report)
            script?.poke()
        }
    }

    @Test func fastJoinPlanStopsAtRetransmitTimesCeilLog10() {
        #expect(FastJoinPlan(retransmitFactor: 4, found: 0).target == 0)
        #expect(FastJoinPlan(retransmitFactor: 4, found: 1).target == 4)
        #expect(FastJoinPlan(retransmitFactor: 4, found: 9).target == 4)
        #expect(FastJoinPlan(retransmitFactor: 4, found: 10).target == 8)
        #expect(FastJoinPlan(retransmitFactor: 3, found: 99).target == 6)
        #expect(FastJoinPlan(retransmitFactor: 3, found: 100).target == 9)
        let plan = FastJoinPlan(retransmitFactor: 1, found: 5)
        #expect(plan.continues(reached: 0, remaining: 3) && !plan.continues(reached: 1, remaining: 3)
            && !plan.continues(reached: 0, remaining: 0))
    }

    @Test func fastJoinThenFullJoinThenRejoinFindsASeedThatCameUpLater() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        // Seed 1 is up from the start; seed 3 only later, and only the rejoin may find it.
        let joiner = try GossipNodeClusterTests.makePeer("joiner", 2, network: network, script: script, extra: [
            "-memberlist.join=10.0.0.1", "-memberlist.rejoin-seed-nodes=10.0.0.3", "-memberlist.rejoin-interval=100ms",
            "-memberlist.max-join-retries=1",
        ])
        let first = try GossipNodeClusterTests.makePeer("first", 1, network: network, script: script)
        var late: Peer?
        let reports = Reports()
        script.step("fast join and full join reached the first seed", until: {
            reports.items.contains { if case .fullJoin(.joined) = $0 { true } else { false } }
        }) {
            do { late = try GossipNodeClusterTests.makePeer("late", 3, network: network, script: script) } catch {
                Issue.record("late: \(error)")
            }
            GossipNodeClusterTests.start(late)
        }
        script.step("a rejoin reached the late seed", until: {
            reports.items.contains { if case .rejoin(let outcome) = $0 { outcome.successes > 0 } else { false } }
                && (late?.sees(alive: ["joiner", "first", "late"]) ?? false)
        }) {
            for peer in [joiner, first, late] { peer?.node.shutdown() }
        }
        let finished = try script.run(within: .seconds(10)) {
            GossipNodeClusterTests.start(first)
            GossipNodeClusterTests.start(joiner)
            run(joiner, reports, script: script)
        }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        guard case let .fastJoin(reached, needed, _, fatal)? = reports.items.first else {
            Issue.record("first report: \(reports.items)")
            return
        }
        #expect(reached == 1 && needed == 1 && !fatal)
    }

    @Test func fastJoinBelowTheMinimumIsFatalOnlyWithTheFlag() throws {
        for abort in [false, true] {
            let script = try LoopScript()
            let network = InMemoryNetwork(loop: script.loop)
            var extra = ["-memberlist.join=10.0.0.1", "-memberlist.max-join-retries=1"]
            if abort { extra.append("-memberlist.abort-if-fast-join-fails") }
            let joiner = try GossipNodeClusterTests.makePeer("alone", 2, network: network, script: script, extra: extra)
            let reports = Reports()
            script.step("the lifecycle ended", until: {
                reports.items.contains { $0.isFatalFastJoinFailure }
                    || reports.items.contains { if case .fullJoin(.gaveUp) = $0 { true } else { false } }
            }) { joiner.node.shutdown() }
            let finished = try script.run(within: .seconds(10)) {
                GossipNodeClusterTests.start(joiner)
                run(joiner, reports, script: script)
            }
            #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
            #expect(reports.items.first?.isFatalFastJoinFailure == abort)
            let fullJoinRan = reports.items.contains { if case .fullJoin = $0 { true } else { false } }
            #expect(fullJoinRan == !abort, "a fatal fast join stops before the full join")
        }
    }
}
