import MonotonicTime
import Testing
import Wire
@testable import Membership

/// A few cores wired together with zero-latency delivery: join, convergence,
/// failure detection and leave, end to end through the public API.
final class MiniCluster {
    struct Pending { var at: MonotonicInstant; var order: Int; var node: Int; var action: Action }
    enum Action {
        case timer(MembershipTimer)
        case message(Message, from: NodeAddress)
        case pushPullResult(UInt64, Result<PushPullState, PushPullFailure>)
        case streamPingResult(UInt32, Bool)
    }

    var cores: [MembershipCore] = []
    var crashed: Set<Int> = []
    var queue: [Pending] = []
    var order = 0
    var now = MonotonicInstant.zero
    var events: [(node: Int, event: MembershipEvent)] = []
    var finished: [MembershipEffect] = []

    init(size: Int, seed: UInt64) throws {
        for i in 0..<size {
            var config = MembershipConfig.local
            config.name = "node\(i)"
            let core = try MembershipCore(config: config, advertise: Self.address(i),
                                          random: SeededRandom(seed: seed &+ UInt64(i)))
            cores.append(core)
        }
        for i in 0..<size { apply(i) { core, now, effects in core.start(at: now, into: &effects) } }
    }

    static func address(_ i: Int) -> NodeAddress { NodeAddress(ip: IPAddress(10, 9, 0, UInt8(i + 1)), port: 7946) }
    func index(of address: NodeAddress) -> Int? { cores.indices.first { Self.address($0) == address } }

    func apply(_ node: Int, _ body: (MembershipCore, MonotonicInstant, inout [MembershipEffect]) -> Void) {
        var effects: [MembershipEffect] = []
        body(cores[node], now, &effects)
        for effect in effects { handle(effect, from: node) }
    }

    func schedule(_ node: Int, at: MonotonicInstant, _ action: Action) {
        order += 1
        queue.append(Pending(at: Swift.max(at, now), order: order, node: node, action: action))
    }

    func handle(_ effect: MembershipEffect, from node: Int) {
        switch effect {
        case .armTimer(let timer, let at):
            schedule(node, at: at, .timer(timer))
        case .send(let packet):
            guard let target = index(of: packet.to), !crashed.contains(target) else { return }
            for message in packet.messages { schedule(target, at: now, .message(message, from: Self.address(node))) }
        case .openPushPull(let request):
            guard let target = index(of: request.to), !crashed.contains(target) else {
                schedule(node, at: now, .pushPullResult(request.id, .failure(.transport("unreachable"))))
                return
            }
            var remoteEffects: [MembershipEffect] = []
            let reply = cores[target].answerPushPull(request.state, from: Self.address(node), at: now, into: &remoteEffects)
            for effect in remoteEffects { handle(effect, from: target) }
            schedule(node, at: now, .pushPullResult(request.id, .success(reply)))
        case .openStreamPing(let request):
            let acked = index(of: request.to).map { !crashed.contains($0) && cores[$0].answerStreamPing(request.ping) != nil } ?? false
            schedule(node, at: now, .streamPingResult(request.ping.seqNo, acked))
        case .event(let event):
            events.append((node, event))
        case .joinFinished, .leaveFinished, .updateFinished, .mergeRejected:
            finished.append(effect)
        }
    }

    func run(until end: MonotonicInstant) {
        while let next = queue.indices.min(by: { (queue[$0].at, queue[$0].order) < (queue[$1].at, queue[$1].order) }),
              queue[next].at <= end {
            let item = queue.remove(at: next)
            now = item.at
            if crashed.contains(item.node) { continue }
            apply(item.node) { core, now, effects in
                switch item.action {
                case .timer(let timer): core.timerFired(timer, at: now, into: &effects)
                case .message(let message, let from): core.receive(message, from: from, at: now, into: &effects)
                case .pushPullResult(let id, let result): core.pushPullFinished(id, result: result, at: now, into: &effects)
                case .streamPingResult(let seqNo, let acked):
                    core.streamPingFinished(seqNo: seqNo, acked: acked, at: now, into: &effects)
                }
            }
        }
        now = end
    }

    func states(seenBy node: Int) -> [String: NodeStateKind] {
        Dictionary(uniqueKeysWithValues: cores[node].allMembers.map { ($0.name, $0.state) })
    }
}

@Suite struct MiniClusterTests {
    @Test func joinConvergeDetectFailureAndLeave() throws {
        let cluster = try MiniCluster(size: 5, seed: 42)
        for i in 1..<5 {
            cluster.apply(i) { core, now, effects in core.join([JoinTarget(address: MiniCluster.address(0))], at: now, into: &effects) }
        }
        cluster.run(until: .seconds(10))
        for i in 0..<5 {
            #expect(cluster.states(seenBy: i).count == 5)
            #expect(cluster.states(seenBy: i).values.allSatisfy { $0 == .alive })
        }
        #expect(cluster.finished.filter { if case .joinFinished(_, 1, _) = $0 { true } else { false } }.count == 4)

        // Crash node 4: everyone else must declare it dead.
        cluster.crashed.insert(4)
        cluster.run(until: .seconds(40))
        for i in 0..<4 {
            let failed = cluster.events.contains { $0.node == i && $0.event.isFailure(of: "node4") }
            #expect(failed)
            #expect(cluster.states(seenBy: i)["node4"] != .alive)
            #expect(cluster.cores[i].healthScore == 0)
        }
        #expect(!cluster.events.contains { $0.event.isFailure(of: "node0") || $0.event.isFailure(of: "node1") })

        // Node 3 leaves: the others see it as left, not dead.
        cluster.apply(3) { core, now, effects in core.leave(timeout: .seconds(5), at: now, into: &effects) }
        cluster.run(until: .seconds(45))
        #expect(cluster.finished.contains { if case .leaveFinished(_, false) = $0 { true } else { false } })
        for i in 0..<3 { #expect(cluster.states(seenBy: i)["node3"] == .left) }
        // Eventually dead and left nodes are reaped (local config: 15 s to the dead).
        cluster.run(until: .seconds(90))
        for i in 0..<3 { #expect(cluster.states(seenBy: i).keys.sorted() == ["node0", "node1", "node2"]) }
    }
}

extension MembershipEvent {
    func isFailure(of name: String) -> Bool {
        if case .failed(let member) = self { member.name == name } else { false }
    }
}
