import MonotonicTime
import Testing
import Wire
@testable import Membership

/// Join, leave, UpdateNode and the push/pull schedule, memberlist-wire.md §7.3 and §9.
@Suite struct OperationTests {
    func cluster() throws -> Harness {
        let h = try Harness()
        h.addAlive("b", 2)
        h.addAlive("c", 3)
        // Drain start-up broadcasts so counts below are exact.
        for _ in 0..<20 { h.fireArmed(.gossipTick) }
        return h
    }

    @Test func leaveWaitsForRetransmitLimitSends() throws {
        let h = try cluster()
        let ownDead = Message.dead(Dead(incarnation: 1, node: "a", from: "a"))
        h.run { core, now, effects in core.leave(timeout: nil, at: now, into: &effects) }
        #expect(h.core.member(named: "a")?.state == .left)
        #expect(!h.effects.contains { if case .leaveFinished = $0 { true } else { false } })
        #expect(h.core.retransmitLimit == 4)  // 4 × ceil(log10(4))
        var sends = 0
        var finishedAfter: Int?
        for _ in 0..<10 {
            h.fireArmed(.gossipTick)
            sends += h.packets.filter { $0.messages.contains(ownDead) }.count
            if finishedAfter == nil, h.effects.contains(where: { if case .leaveFinished(_, false) = $0 { true } else { false } }) {
                finishedAfter = sends
            }
        }
        #expect(sends == 4)
        #expect(finishedAfter == 4)
        // Having left, claims about ourselves are not refuted.
        h.receive(.dead(Dead(incarnation: 1, node: "a", from: "b")))
        h.receive(.alive(aliveMessage("a", 1, incarnation: 7)))
        #expect(h.core.member(named: "a")?.state == .left)
        #expect(h.core.localIncarnation == 1)
    }

    @Test func leaveTimesOut() throws {
        let h = try cluster()
        var id = OperationID(rawValue: 0)
        h.run { core, now, effects in id = core.leave(timeout: .seconds(1), at: now, into: &effects) }
        #expect(h.armed[.operationTimeout(id)] == h.now.advanced(byNanoseconds: seconds(1)))
        h.fireArmed(.operationTimeout(id))
        #expect(h.effects == [.leaveFinished(id, timedOut: true)])
    }

    @Test func leaveAloneFinishesAtOnce() throws {
        let h = try Harness()
        var id = OperationID(rawValue: 0)
        h.run { core, now, effects in id = core.leave(timeout: nil, at: now, into: &effects) }
        #expect(h.effects.contains(.leaveFinished(id, timedOut: false)))
    }

    @Test func updateMetaBroadcastsNextIncarnation() throws {
        let h = try cluster()
        var id = OperationID(rawValue: 0)
        try h.run { core, now, effects in
            id = try core.updateMeta([1, 2], timeout: nil, at: now, into: &effects)
        }
        #expect(h.core.localIncarnation == 2)
        guard case .updated(let me) = h.events.first else { Issue.record("no update event"); return }
        #expect(me.name == "a" && me.meta == [1, 2])
        let alive = Message.alive(Alive(incarnation: 2, node: "a", addr: IPAddress(10, 0, 0, 1), port: 7946,
                                        meta: [1, 2], vsn: [1, 5, 2, 0, 0, 0]))
        var sends = 0
        for _ in 0..<10 {
            h.fireArmed(.gossipTick)
            let before = sends
            sends += h.packets.filter { $0.messages.contains(alive) }.count
            #expect(h.effects.contains(.updateFinished(id, timedOut: false)) == (before < 4 && sends == 4))
        }
        #expect(sends == 4)
        #expect(throws: MembershipError.metaTooLarge(size: 513, limit: 512)) {
            var effects: [MembershipEffect] = []
            try h.core.updateMeta([UInt8](repeating: 0, count: 513), timeout: nil, at: h.now, into: &effects)
        }
    }

    @Test func joinCountsSuccessfulPushPulls() throws {
        let h = try Harness()
        let targets = [JoinTarget(address: address(2)), JoinTarget(address: address(3), name: "c"),
                       JoinTarget(address: address(4))]
        var id = OperationID(rawValue: 0)
        h.run { core, now, effects in id = core.join(targets, at: now, into: &effects) }
        let requests = h.effects.compactMap { if case .openPushPull(let r) = $0 { r } else { nil } }
        #expect(requests.map(\.to) == targets.map(\.address))
        #expect(requests.allSatisfy { $0.state.join && $0.state.nodes.map(\.name) == ["a"] && $0.timeout == .seconds(10) })
        #expect(requests[1].nodeName == "c")
        let vsn: [UInt8] = [1, 5, 2, 0, 0, 0]
        let good = PushPullState(join: true, nodes: [
            PushNodeState(name: "b", addr: IPAddress(10, 0, 0, 2), port: 7946, meta: nil, incarnation: 1, state: .alive, vsn: vsn)])
        let incompatible = PushPullState(join: true, nodes: [
            PushNodeState(name: "z", addr: IPAddress(10, 0, 0, 4), port: 7946, meta: nil, incarnation: 1, state: .alive,
                          vsn: [1, 5, 9, 0, 0, 0])])
        h.run { core, now, effects in core.pushPullFinished(requests[0].id, result: .success(good), at: now, into: &effects) }
        #expect(h.core.member(named: "b")?.state == .alive)
        h.run { core, now, effects in
            core.pushPullFinished(requests[1].id, result: .failure(.transport("refused")), at: now, into: &effects)
        }
        #expect(!h.effects.contains { if case .joinFinished = $0 { true } else { false } })
        h.run { core, now, effects in core.pushPullFinished(requests[2].id, result: .success(incompatible), at: now, into: &effects) }
        guard case .joinFinished(let finished, let successes, let failures)? = h.effects.last else {
            Issue.record("no joinFinished"); return
        }
        #expect(finished == id)
        #expect(successes == 1)
        #expect(failures.map(\.target) == [targets[1], targets[2]])
        #expect(h.core.member(named: "z") == nil)
        // A late duplicate result is ignored.
        #expect(h.run { core, now, effects in
            core.pushPullFinished(requests[0].id, result: .success(good), at: now, into: &effects)
        }.isEmpty)
    }

    @Test func pushPullEveryScaledIntervalWithOneAlivePeer() throws {
        let h = try Harness()
        let first = try #require(h.armed[.pushPullTick])
        #expect(first < MonotonicInstant.seconds(30))
        h.addAlive("b", 2)
        h.addAlive("c", 3)
        h.receive(.dead(Dead(incarnation: 1, node: "c", from: "x")))
        h.fireArmed(.pushPullTick)
        let request = try #require(h.effects.compactMap { if case .openPushPull(let r) = $0 { r } else { nil } }.first)
        #expect(request.nodeName == "b" && request.to == address(2) && !request.state.join)
        #expect(h.armed[.pushPullTick] == h.now.advanced(byNanoseconds: seconds(30)))
        // 40 nodes → ×2; 100 nodes → ×3 (§7.3).
        h.addNodes(37)
        #expect(h.core.memberCount == 40)
        h.fireArmed(.pushPullTick)
        #expect(h.armed[.pushPullTick] == h.now.advanced(byNanoseconds: seconds(60)))
        h.receive(.alive(Alive(incarnation: 1, node: "m", addr: IPAddress(10, 2, 0, 1), port: 1, meta: nil, vsn: [1, 5, 2, 0, 0, 0])))
        for i in 1...59 {
            h.receive(.alive(Alive(incarnation: 1, node: "p\(i)", addr: IPAddress(10, 3, 0, UInt8(i)), port: 1, meta: nil,
                                   vsn: [1, 5, 2, 0, 0, 0])))
        }
        #expect(h.core.memberCount == 100)
        h.fireArmed(.pushPullTick)
        #expect(h.armed[.pushPullTick] == h.now.advanced(byNanoseconds: seconds(90)))
    }

    @Test func initRejectsBadInput() {
        #expect(throws: MembershipError.emptyName) {
            _ = try MembershipCore(config: .lan, advertise: address(1), random: SeededRandom(seed: 1))
        }
        #expect(throws: MembershipError.metaTooLarge(size: 600, limit: 512)) {
            _ = try Harness(meta: [UInt8](repeating: 0, count: 600))
        }
    }
}

@Suite struct PeriodicPushPullTests {
    @Test func periodicMergeAndRejectionNameThePeer() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.fireArmed(.pushPullTick)
        let request = try #require(h.effects.compactMap { if case .openPushPull(let r) = $0 { r } else { nil } }.first)
        let bad = PushPullState(join: false, nodes: [
            PushNodeState(name: "q", addr: IPAddress(10, 0, 0, 9), port: 7946, meta: nil, incarnation: 1, state: .alive,
                          vsn: [1, 5, 7, 0, 0, 0])])
        h.run { core, now, effects in core.pushPullFinished(request.id, result: .success(bad), at: now, into: &effects) }
        #expect(h.effects == [.mergeRejected(peer: address(2), reason: .protocolVersion(node: "q", current: 7, min: 1, max: 5))])
        h.fireArmed(.pushPullTick)
        let next = try #require(h.effects.compactMap { if case .openPushPull(let r) = $0 { r } else { nil } }.first)
        let good = PushPullState(join: false, nodes: [
            PushNodeState(name: "q", addr: IPAddress(10, 0, 0, 9), port: 7946, meta: nil, incarnation: 1, state: .alive,
                          vsn: [1, 5, 2, 0, 0, 0])])
        h.run { core, now, effects in core.pushPullFinished(next.id, result: .success(good), at: now, into: &effects) }
        #expect(h.core.member(named: "q")?.state == .alive)
    }
}
