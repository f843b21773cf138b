import Testing
import Wire
@testable import Membership

/// Per-name state rules of memberlist-wire.md §7.4 and §9, driven through the public API.
@Suite struct StateRuleTests {
    /// Broadcasts the core would gossip now (drains by gossiping to a live peer).
    func gossiped(_ h: Harness) -> [Message] {
        h.fireArmed(.gossipTick)
        return h.packets.flatMap(\.messages)
    }

    @Test func startAnnouncesAliveWithIncarnationOne() throws {
        let h = try Harness()
        #expect(h.events == [.joined(try #require(h.core.member(named: "a")))])
        #expect(h.core.localIncarnation == 1)
        h.addAlive("b", 2)
        let messages = gossiped(h)
        #expect(messages.contains(.alive(Alive(incarnation: 1, node: "a", addr: IPAddress(10, 0, 0, 1), port: 7946,
                                               meta: nil, vsn: [1, 5, 2, 0, 0, 0]))))
    }

    @Test func unknownAliveWithIncarnationZeroIsIgnored() throws {
        let h = try Harness()
        h.addAlive("b", 2, incarnation: 0)
        #expect(h.core.member(named: "b") == nil)
        #expect(h.events.isEmpty)
        h.addAlive("b", 2, incarnation: 1)
        #expect(h.core.member(named: "b")?.state == .alive)
        #expect(h.events.count == 1)
    }

    @Test func aliveWithBadProtocolRangeIsIgnored() throws {
        let h = try Harness()
        h.receive(.alive(Alive(incarnation: 1, node: "b", addr: IPAddress(10, 0, 0, 2), port: 7946, meta: nil,
                               vsn: [3, 2, 2, 0, 0, 0])))
        #expect(h.core.member(named: "b") == nil)
        h.receive(.alive(Alive(incarnation: 1, node: "b", addr: IPAddress(10, 0, 0, 2), port: 7946, meta: nil,
                               vsn: [0, 5, 2, 0, 0, 0])))
        #expect(h.core.member(named: "b") == nil)
    }

    @Test func aliveNeedsAStrictlyHigherIncarnation() throws {
        let h = try Harness()
        h.addAlive("b", 2, incarnation: 3)
        h.receive(.alive(aliveMessage("b", 2, incarnation: 3, meta: [1])))
        #expect(h.core.member(named: "b")?.meta == nil)
        h.receive(.alive(aliveMessage("b", 2, incarnation: 4, meta: [1])))
        #expect(h.core.member(named: "b")?.meta == [1])
        #expect(h.core.member(named: "b")?.incarnation == 4)
        #expect(h.events.count == 1)
        guard case .updated(let member) = h.events.first else { Issue.record("no update event"); return }
        #expect(member.name == "b")
    }

    @Test func nameConflictIsReportedAndIgnored() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.receive(.alive(aliveMessage("b", 3, incarnation: 9)))
        let member = try #require(h.core.member(named: "b"))
        #expect(member.address == address(2))
        #expect(member.incarnation == 1)
        #expect(h.packets.isEmpty)
        guard case .conflict(let existing, let other) = h.events.first else { Issue.record("no conflict"); return }
        #expect(existing.address == address(2))
        #expect(other.address == address(3))
    }

    @Test func deadNodeIsReclaimedAfterDeadNodeReclaimTime() throws {
        var config = MembershipConfig.lan
        config.deadNodeReclaimTime = .seconds(10)
        let h = try Harness(config: config)
        h.addAlive("b", 2, incarnation: 5)
        h.receive(.dead(Dead(incarnation: 5, node: "b", from: "c")))
        #expect(h.core.member(named: "b")?.state == .dead)
        h.advance(seconds: 5)
        h.receive(.alive(aliveMessage("b", 3, incarnation: 1)))
        #expect(h.core.member(named: "b")?.address == address(2))
        h.advance(seconds: 6)
        h.receive(.alive(aliveMessage("b", 3, incarnation: 1)))
        let member = try #require(h.core.member(named: "b"))
        #expect(member.address == address(3))
        #expect(member.state == .alive)
        #expect(member.incarnation == 1)
        #expect(h.events.map { if case .joined = $0 { true } else { false } } == [true])
    }

    @Test func deadNodeIsNeverReclaimedByDefaultButLeftNodeIs() throws {
        let h = try Harness()
        h.addAlive("b", 2, incarnation: 5)
        h.addAlive("c", 4, incarnation: 5)
        h.receive(.dead(Dead(incarnation: 5, node: "b", from: "x")))
        h.receive(.dead(Dead(incarnation: 5, node: "c", from: "c")))
        h.advance(seconds: 3600)
        h.receive(.alive(aliveMessage("b", 3, incarnation: 1)))
        #expect(h.core.member(named: "b")?.address == address(2))
        h.receive(.alive(aliveMessage("c", 5, incarnation: 1)))
        #expect(h.core.member(named: "c")?.address == address(5))
        #expect(h.core.member(named: "c")?.state == .alive)
    }

    @Test func refuteSuspicionWithAccusedPlusOne() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.receive(.suspect(Suspect(incarnation: 5, node: "a", from: "b")))
        #expect(h.core.localIncarnation == 6)
        #expect(h.core.member(named: "a")?.state == .alive)
        #expect(h.core.healthScore == 1)
        #expect(gossiped(h).contains { if case .alive(let a) = $0 { a.node == "a" && a.incarnation == 6 } else { false } })
    }

    @Test func refuteUsesLocalPlusOneForAnAliveClaimAtOurIncarnation() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        // Same incarnation as ours but different meta: refute with local + 1.
        h.receive(.alive(Alive(incarnation: 1, node: "a", addr: IPAddress(10, 0, 0, 1), port: 7946, meta: [9],
                               vsn: [1, 5, 2, 0, 0, 0])))
        #expect(h.core.localIncarnation == 2)
        #expect(h.core.member(named: "a")?.meta == nil)
        // Identical claim at our incarnation: nothing to do.
        h.receive(.alive(Alive(incarnation: 2, node: "a", addr: IPAddress(10, 0, 0, 1), port: 7946, meta: nil,
                               vsn: [1, 5, 2, 0, 0, 0])))
        #expect(h.core.localIncarnation == 2)
        // An older claim is ignored.
        h.receive(.alive(Alive(incarnation: 1, node: "a", addr: IPAddress(10, 0, 0, 1), port: 7946, meta: [7],
                               vsn: [1, 5, 2, 0, 0, 0])))
        #expect(h.core.localIncarnation == 2)
    }

    @Test func refuteDeadAboutSelf() throws {
        let h = try Harness()
        h.receive(.dead(Dead(incarnation: 1, node: "a", from: "b")))
        #expect(h.core.member(named: "a")?.state == .alive)
        #expect(h.core.localIncarnation == 2)
    }

    @Test func suspectAtEqualIncarnationBeatsAlive() throws {
        let h = try Harness()
        h.addAlive("b", 2, incarnation: 3)
        h.receive(.suspect(Suspect(incarnation: 3, node: "b", from: "c")))
        #expect(h.core.member(named: "b")?.state == .suspect)
        #expect(h.events.map { if case .suspected = $0 { true } else { false } } == [true])
        h.receive(.alive(aliveMessage("b", 2, incarnation: 3)))
        #expect(h.core.member(named: "b")?.state == .suspect)
        h.receive(.alive(aliveMessage("b", 2, incarnation: 4)))
        #expect(h.core.member(named: "b")?.state == .alive)
        // An older suspicion is ignored, and suspect of an unknown node too.
        h.receive(.suspect(Suspect(incarnation: 3, node: "b", from: "c")))
        #expect(h.core.member(named: "b")?.state == .alive)
        h.receive(.suspect(Suspect(incarnation: 3, node: "zz", from: "c")))
        #expect(h.core.member(named: "zz") == nil)
    }

    @Test func deadAtEqualIncarnationBeatsAliveAndFromItselfMeansLeft() throws {
        let h = try Harness()
        h.addAlive("b", 2, incarnation: 3)
        h.addAlive("c", 3, incarnation: 3)
        h.receive(.dead(Dead(incarnation: 3, node: "b", from: "b")))
        #expect(h.core.member(named: "b")?.state == .left)
        guard case .left(let left) = h.events.first else { Issue.record("no left event"); return }
        #expect(left.name == "b")
        h.receive(.dead(Dead(incarnation: 3, node: "c", from: "b")))
        #expect(h.core.member(named: "c")?.state == .dead)
        guard case .failed(let failed) = h.events.first else { Issue.record("no failed event"); return }
        #expect(failed.name == "c")
        h.receive(.dead(Dead(incarnation: 9, node: "c", from: "b")))
        #expect(h.events.isEmpty)
    }

    @Test func suspicionTimeoutsForFiveNodes() throws {
        let h = try Harness()
        for (name, last) in [("b", UInt8(2)), ("c", 3), ("d", 4), ("e", 5)] { h.addAlive(name, last) }
        h.advance(seconds: 100)
        let start = h.now
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "c")))
        let timer = try #require(h.timers.first)
        guard case .suspicion(let node, _) = timer.0 else { Issue.record("no suspicion timer"); return }
        #expect(node == "b")
        #expect(timer.1 == start.advanced(byNanoseconds: seconds(24)))
        // The accuser again does not count.
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "c")))
        #expect(h.timers.isEmpty)
        h.advance(seconds: 1)
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "d")))
        #expect(h.timers.first?.1 == start.advanced(byNanoseconds: 11_381_000_000))
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "e")))
        #expect(h.timers.first?.1 == start.advanced(byNanoseconds: seconds(4)))
        // k = 2: a third confirmation changes nothing.
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "f")))
        #expect(h.timers.isEmpty)
        let finalTimer = try #require(h.armed.keys.first { if case .suspicion = $0 { true } else { false } })
        // The stale 24 s firing would come later; the 4 s one declares b dead.
        h.advance(to: start.advanced(byNanoseconds: seconds(4)))
        h.fire(finalTimer)
        #expect(h.core.member(named: "b")?.state == .dead)
        guard case .failed(let failed) = h.events.first else { Issue.record("no failed event"); return }
        #expect(failed.incarnation == 1)
        #expect(gossiped(h).contains(.dead(Dead(incarnation: 1, node: "b", from: "a"))))
    }

    @Test func suspicionBoundsForHundredNodes() throws {
        let h = try Harness()
        h.addNodes(99)
        #expect(h.core.memberCount == 100)
        let start = h.now
        h.receive(.suspect(Suspect(incarnation: 1, node: "n1", from: "n2")))
        #expect(h.timers.first?.1 == start.advanced(byNanoseconds: seconds(48)))
        h.receive(.suspect(Suspect(incarnation: 1, node: "n1", from: "n3")))
        h.receive(.suspect(Suspect(incarnation: 1, node: "n1", from: "n4")))
        #expect(h.timers.first?.1 == start.advanced(byNanoseconds: seconds(8)))
    }

    @Test func smallClusterStartsSuspicionAtMinimum() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.addAlive("c", 3)
        // n = 3: n − 2 < k = 2 → k = 0 → start at min = 4 s.
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "c")))
        #expect(h.timers.first?.1 == h.now.advanced(byNanoseconds: seconds(4)))
    }

    @Test func refutedSuspicionTimerIsStale() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.addAlive("c", 3)
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "c")))
        let (timer, at) = try #require(h.timers.first)
        h.receive(.alive(aliveMessage("b", 2, incarnation: 2)))
        h.advance(to: at)
        #expect(h.fire(timer).isEmpty)
        #expect(h.core.member(named: "b")?.state == .alive)
    }

    @Test func pushPullMergeRules() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.addAlive("c", 3)
        h.addAlive("d", 4)
        let vsn: [UInt8] = [1, 5, 2, 0, 0, 0]
        let remote = PushPullState(join: false, nodes: [
            PushNodeState(name: "b", addr: IPAddress(10, 0, 0, 2), port: 7946, meta: nil, incarnation: 1, state: .dead, vsn: vsn),
            PushNodeState(name: "c", addr: IPAddress(10, 0, 0, 3), port: 7946, meta: nil, incarnation: 1, state: .left, vsn: vsn),
            PushNodeState(name: "d", addr: IPAddress(10, 0, 0, 4), port: 7946, meta: nil, incarnation: 1, state: .suspect, vsn: vsn),
            PushNodeState(name: "e", addr: IPAddress(10, 0, 0, 5), port: 0, meta: nil, incarnation: 2, state: .alive, vsn: vsn),
            PushNodeState(name: "f", addr: IPAddress(10, 0, 0, 6), port: 7946, meta: nil, incarnation: 2, state: .dead, vsn: vsn),
        ])
        var effects: [MembershipEffect] = []
        let reply = h.core.answerPushPull(remote, from: address(2), at: h.now, into: &effects)
        #expect(reply.join == false)
        #expect(Set(reply.nodes.map(\.name)) == ["a", "b", "c", "d"])
        #expect(reply.nodes.allSatisfy { $0.state == .alive && $0.vsn.count == 6 })
        #expect(h.core.member(named: "b")?.state == .suspect)
        #expect(h.core.member(named: "c")?.state == .left)
        #expect(h.core.member(named: "d")?.state == .suspect)
        #expect(h.core.member(named: "e")?.state == .alive)
        // Port 0 → our bind port (§4.2).
        #expect(h.core.member(named: "e")?.address.port == 7946)
        #expect(h.core.member(named: "f") == nil)
        h.fireArmed(.gossipTick)
        let messages = h.packets.flatMap(\.messages)
        #expect(messages.contains(.suspect(Suspect(incarnation: 1, node: "b", from: "a"))))
        #expect(messages.contains(.dead(Dead(incarnation: 1, node: "c", from: "c"))))
    }

    @Test func versionRangeCheckRejectsTheWholeMerge() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        // A remote alive node that needs protocol ≥ 3 puts pcur 2 out of range; remote
        // entries are checked before local ones, so the remote "b" is named.
        let remote = PushPullState(join: false, nodes: [
            PushNodeState(name: "x", addr: IPAddress(10, 0, 0, 9), port: 7946, meta: nil, incarnation: 1, state: .alive,
                          vsn: [3, 5, 3, 0, 0, 0]),
            PushNodeState(name: "b", addr: IPAddress(10, 0, 0, 2), port: 7946, meta: nil, incarnation: 1, state: .dead,
                          vsn: [1, 5, 2, 0, 0, 0]),
        ])
        var effects: [MembershipEffect] = []
        _ = h.core.answerPushPull(remote, from: address(9), at: h.now, into: &effects)
        #expect(effects.contains(.mergeRejected(peer: address(9),
                                                reason: .protocolVersion(node: "b", current: 2, min: 3, max: 5))))
        #expect(h.core.member(named: "x") == nil)
        #expect(h.core.member(named: "b")?.state == .alive)

        // A remote node with no Vsn counts as version 0 and fails the check too.
        let short = PushPullState(join: false, nodes: [
            PushNodeState(name: "y", addr: IPAddress(10, 0, 0, 8), port: 7946, meta: nil, incarnation: 1, state: .dead, vsn: []),
        ])
        effects.removeAll()
        _ = h.core.answerPushPull(short, from: address(8), at: h.now, into: &effects)
        #expect(effects.contains(.mergeRejected(peer: address(8),
                                                reason: .protocolVersion(node: "y", current: 0, min: 1, max: 5))))
    }
}
