import Testing
import Wire
@testable import Membership

/// Piggybacking and gossip rounds, memberlist-wire.md §3.4 and §7.2.
@Suite struct GossipTests {
    @Test func piggybackBudgetCountsLabelAndEncryption() throws {
        var secured = MembershipConfig.lan
        secured.label = "prod"              // 2 + 4 bytes
        secured.secretKeys = [[UInt8](repeating: 1, count: 16)]  // 29 bytes at encryption vsn 1
        for (config, expectedUser) in [(MembershipConfig.lan, 14), (secured, 13)] {
            let h = try Harness(config: config)
            for i in 0..<20 { h.core.queueUserBroadcast([UInt8](repeating: UInt8(i), count: 90)) }
            h.receive(.ping(Ping(seqNo: 5, node: "a")))
            let packet = try #require(h.packets.first)
            // ack (18 bytes) first, then our own alive (57 + 2), then user messages at 90 + 3 each:
            // budget 1400 − 18 − 2 = 1380 → 1321 left → 14; with label and key 1345 → 1286 → 13.
            #expect(packet.messages.first == .ack(AckResponse(seqNo: 5, payload: nil)))
            #expect(packet.messages.count == 2 + expectedUser)
            let bytes = packet.messages.dropFirst().reduce(0) { $0 + EncodedSize.of($1) + 2 }
            #expect(bytes <= 1400 - 18 - 2 - config.labelOverhead - config.encryptionOverhead)
        }
    }

    @Test func gossipTargetsAliveSuspectAndRecentlyDeadNeverLeft() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.addAlive("c", 3)
        h.addAlive("d", 4)
        h.addAlive("e", 5)
        h.receive(.suspect(Suspect(incarnation: 1, node: "c", from: "x")))
        h.receive(.dead(Dead(incarnation: 1, node: "d", from: "x")))
        h.receive(.dead(Dead(incarnation: 1, node: "e", from: "e")))
        var targets: Set<String> = []
        for i in 0..<20 {
            h.core.queueUserBroadcast([UInt8(i)])
            h.fireArmed(.gossipTick)
            let names = h.packets.map(\.nodeName)
            #expect(names.count <= 3)
            #expect(Set(names).count == names.count)
            targets.formUnion(names)
        }
        #expect(targets == ["b", "c", "d"])
        // Past GossipToTheDeadTime the dead node gets no more gossip.
        h.advance(seconds: 31)
        targets = []
        for i in 0..<20 {
            h.core.queueUserBroadcast([UInt8(i)])
            h.fireArmed(.gossipTick)
            targets.formUnion(h.packets.map(\.nodeName))
        }
        #expect(targets == ["b", "c"])
    }

    @Test func gossipSendsSingleMessagesBareAndStopsWhenEmpty() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.addAlive("c", 3)
        // Drain the start-up broadcasts.
        for _ in 0..<20 { h.fireArmed(.gossipTick) }
        #expect(h.packets.isEmpty)
        h.core.queueUserBroadcast([42])
        h.fireArmed(.gossipTick)
        #expect(h.packets.count == 2)
        #expect(h.packets.allSatisfy { $0.messages == [.user([42])] && $0.addCRC })
    }

    @Test func broadcastIsGossipedRetransmitLimitTimes() throws {
        let h = try Harness()
        h.addNodes(99)
        #expect(h.core.retransmitLimit == 12)
        for _ in 0..<200 { h.fireArmed(.gossipTick) }
        h.core.queueUserBroadcast([7], key: "k")
        var sends = 0
        for _ in 0..<20 {
            h.fireArmed(.gossipTick)
            sends += h.packets.filter { $0.messages.contains(.user([7])) }.count
        }
        #expect(sends == 12)
    }

    @Test func userBroadcastKeyInvalidates() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        for _ in 0..<20 { h.fireArmed(.gossipTick) }
        h.core.queueUserBroadcast([1], key: "ring")
        h.core.queueUserBroadcast([2], key: "ring")
        h.core.queueUserBroadcast([3])
        h.core.queueUserBroadcast([3])
        #expect(h.core.queuedBroadcasts.user == 3)
        h.fireArmed(.gossipTick)
        #expect(h.packets.first?.messages == [.user([3]), .user([3]), .user([2])])
    }

    @Test func delegateBroadcastsFillThePacketBeforeTheOpaqueUserQueue() throws {
        /// memberlist's GetBroadcasts: hands out its messages once, recording the budget.
        final class Source: MembershipDelegate {
            var pending: [[UInt8]] = []
            var calls: [(overhead: Int, limit: Int)] = []
            func broadcasts(overhead: Int, limit: Int, into messages: inout [Message]) -> Int {
                calls.append((overhead, limit))
                var used = 0
                for body in pending where used + body.count + overhead <= limit {
                    messages.append(.user(body))
                    used += body.count + overhead
                }
                pending = []
                return used
            }
            var hasUnsentBroadcasts: Bool { !pending.isEmpty }
        }
        let source = Source()
        let h = try Harness()
        h.core.delegate = source
        h.addAlive("b", 2)
        for _ in 0..<20 { h.fireArmed(.gossipTick) }
        source.calls.removeAll()
        source.pending = [[10, 11], [12]]
        h.core.queueUserBroadcast([3])
        h.fireArmed(.gossipTick)
        #expect(h.packets.first?.messages == [.user([10, 11]), .user([12]), .user([3])])
        // Each part costs the compound part overhead plus the user type byte.
        #expect(source.calls.first?.overhead == PacketBudget.compoundPartOverhead + 1)
    }

    @Test func userMessagesGoToTheDelegate() throws {
        final class Recorder: MembershipDelegate {
            var messages: [[UInt8]] = []
            var merged: [([UInt8], Bool)] = []
            func notifyUserMessage(_ message: [UInt8]) { messages.append(message) }
            func mergeRemoteState(_ state: [UInt8], join: Bool) { merged.append((state, join)) }
            func localState(join: Bool) -> [UInt8] { [9, join ? 1 : 0] }
            func ackPayload() -> [UInt8]? { [5] }
        }
        let recorder = Recorder()
        let h = try Harness()
        h.core.delegate = recorder
        h.receive(.user([1, 2, 3]))
        #expect(recorder.messages == [[1, 2, 3]])
        var effects: [MembershipEffect] = []
        let reply = h.core.answerPushPull(PushPullState(join: true, nodes: [], userState: [4]), from: address(2),
                                          at: h.now, into: &effects)
        #expect(reply.userState == [9, 1])
        #expect(recorder.merged.count == 1 && recorder.merged[0].0 == [4] && recorder.merged[0].1)
        h.receive(.ping(Ping(seqNo: 1, node: "a")))
        #expect(h.packets.first?.acks.first?.payload == [5])
    }
}
