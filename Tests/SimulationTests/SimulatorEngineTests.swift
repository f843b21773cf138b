import Simulation
import Testing

/// The simulator's machinery, exercised with `ScriptedNode` so it is tested
/// independently of the membership core.
@Suite struct SimulatorEngineTests {
    let seed = SimulationSeed.fromEnvironment(default: 20_240_601)

    @Test func datagramArrivesAfterLatencyPlusBoundedJitter() throws {
        let conditions = LinkConditions(loss: 0, latency: .milliseconds(5), jitter: .milliseconds(2))
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: conditions, nodes: 2)
        for packet in 0..<200 { sim.send(packet, from: NodeID(0), to: NodeID(1)) }
        sim.run(for: .seconds(1))
        let arrivals = sim.events(of: NodeID(1)).filter {
            if case .received = $0.1 { return true } else { return false }
        }
        #expect(arrivals.count == 200, "\(seed)")
        for (time, _) in arrivals {
            #expect(time.nanoseconds >= 5_000_000 && time.nanoseconds <= 7_000_000, "\(time) \(seed)")
        }
        // Jitter really varies the delay.
        #expect(Set(arrivals.map(\.0)).count > 100, "\(seed)")
    }

    @Test func lossRateMatchesConfiguredProbability() {
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 0.1), nodes: 2)
        let sent = 20_000
        for packet in 0..<sent { sim.send(packet, from: NodeID(0), to: NodeID(1)) }
        sim.run(for: .seconds(1))
        // Binomial(20000, 0.1): sd ≈ 42; allow 5 sd.
        #expect(abs(sim.counters.datagramsLost - 2_000) < 210, "lost \(sim.counters.datagramsLost) \(seed)")
        #expect(sim.counters.datagramsLost + sim.counters.datagramsDelivered == sent, "\(seed)")
    }

    @Test func perLinkConditionsOverrideTheDefault() {
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 0), nodes: 3)
        sim.network.setConditions(LinkConditions(loss: 1), from: NodeID(0), to: NodeID(1))
        for packet in 0..<50 {
            sim.send(packet, from: NodeID(0), to: NodeID(1))
            sim.send(packet, from: NodeID(0), to: NodeID(2))
            sim.send(packet, from: NodeID(1), to: NodeID(0))
        }
        sim.run(for: .seconds(1))
        #expect(sim.node(NodeID(1))?.received == 0, "\(seed)")
        #expect(sim.node(NodeID(2))?.received == 50, "\(seed)")
        #expect(sim.node(NodeID(0))?.received == 50, "\(seed)")
    }

    @Test func sameSeedReproducesTheRunAndAnotherSeedDoesNot() {
        func trace(_ seed: UInt64) -> [String] {
            let conditions = LinkConditions(loss: 0.3, latency: .milliseconds(1), jitter: .milliseconds(10))
            let sim = Simulator<ScriptedNode>(seed: seed, conditions: conditions, nodes: 5)
            for round in 0..<100 {
                sim.send(round, from: NodeID(round % 5), to: NodeID((round * 7 + 1) % 5))
            }
            sim.run(for: .seconds(1))
            return sim.eventLog.map { "\($0.time.nanoseconds) \($0.node) \($0.event)" }
        }
        #expect(trace(seed.value) == trace(seed.value), "\(seed)")
        #expect(trace(seed.value) != trace(seed.value &+ 1), "\(seed)")
    }

    @Test func partitionCutsBothDirectionsUntilHealed() {
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 0), nodes: 4)
        let split = sim.partition(Partition(groups: [[NodeID(0), NodeID(1)], [NodeID(2), NodeID(3)]]))
        sim.send(1, from: NodeID(0), to: NodeID(2))
        sim.send(2, from: NodeID(3), to: NodeID(1))
        sim.send(3, from: NodeID(0), to: NodeID(1))
        sim.run(for: .seconds(1))
        #expect(sim.counters.datagramsPartitioned == 2, "\(seed)")
        #expect(sim.node(NodeID(1))?.received == 1 && sim.node(NodeID(2))?.received == 0, "\(seed)")
        sim.heal(split)
        sim.send(4, from: NodeID(0), to: NodeID(2))
        sim.run(for: .seconds(1))
        #expect(sim.node(NodeID(2))?.received == 1, "\(seed)")
    }

    @Test func scheduledPartitionAppliesAndHealsAtItsInstants() {
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 0), nodes: 2)
        let partition = Partition.isolating([NodeID(1)], from: sim.nodeIDs)
        sim.schedule(.partition(partition, healAt: VirtualInstant(nanoseconds: 3_000_000_000)),
                     at: VirtualInstant(nanoseconds: 1_000_000_000))
        var deliveredAt: [Bool] = []
        for second in 0..<5 {
            let before = sim.node(NodeID(1))?.received ?? -1
            sim.send(second, from: NodeID(0), to: NodeID(1))
            sim.run(for: .seconds(1))
            deliveredAt.append((sim.node(NodeID(1))?.received ?? -1) > before)
        }
        // Sent at 0 s, 1 s (partition starts), 2 s, 3 s (healed), 4 s.
        #expect(deliveredAt == [true, false, false, true, true], "\(seed)")
    }

    @Test func crashDropsTimersAndInFlightTrafficAndRestartBootsFreshCore() throws {
        let conditions = LinkConditions(loss: 0, latency: .milliseconds(50))
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: conditions, nodes: 2)
        sim.arm(7, on: NodeID(1), after: .seconds(1))
        sim.send(1, from: NodeID(0), to: NodeID(1))
        sim.send(2, from: NodeID(1), to: NodeID(0))
        sim.run(for: .milliseconds(10))
        try sim.inject(.crash(NodeID(1)))
        sim.send(3, from: NodeID(0), to: NodeID(1))
        sim.run(for: .seconds(2))
        #expect(sim.counters.timersDiscarded == 1, "\(seed)")
        // 1 and 2 were in flight at the crash; 3 was sent to the crashed node.
        #expect(sim.counters.datagramsToCrashedNodes == 3, "\(seed)")
        #expect(sim.node(NodeID(0))?.received == 0, "in-flight from the crashed node is dropped \(seed)")
        #expect(sim.call(NodeID(1)) { _, _, _ in true } == nil, "a crashed node takes no calls \(seed)")

        try sim.inject(.restart(NodeID(1)))
        #expect(sim.isRunning(NodeID(1)))
        #expect(sim.node(NodeID(1))?.generation == 1 && sim.node(NodeID(1))?.received == 0, "\(seed)")
        sim.send(4, from: NodeID(0), to: NodeID(1))
        sim.run(for: .seconds(1))
        let seen = sim.events(of: NodeID(1)).map(\.1)
        #expect(seen == [.started(generation: 0), .started(generation: 1), .received(4, from: NodeID(0))],
                "\(seed)")
    }

    @Test func streamRoundTripTakesTwoOneWayDelaysWithoutLoss() {
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 0, latency: .milliseconds(20)),
                                          nodes: 2)
        sim.openStream(21, from: NodeID(0), to: NodeID(1), timeout: .seconds(10))
        sim.openStream(-1, from: NodeID(0), to: NodeID(1), timeout: .seconds(10))
        sim.run(for: .seconds(20))
        let opener = sim.events(of: NodeID(0)).filter {
            if case .completed = $0.1 { return true } else { return false }
        }
        // Nothing to resend: replies arrive after 2 × 20 ms.
        #expect(opener.count == 2, "\(seed)")
        #expect(opener.first?.0 == VirtualInstant(nanoseconds: 40_000_000), "\(seed)")
        #expect(opener.first?.1 == .completed(21, .reply(42)), "\(seed)")
        #expect(opener.last?.1 == .completed(-1, .failed(.closedByPeer)), "\(seed)")
        #expect(sim.events(of: NodeID(1)).contains { $0.1 == .served(21, from: NodeID(0)) }, "\(seed)")
    }

    @Test func lossyLinkDelaysStreamsByTCPResendTimeouts() {
        // Every segment lost: the SYN is resent after 1 s, 2 s, 4 s, ... so the stream
        // misses its 10 s deadline and fails then.
        let dead = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 1, latency: .milliseconds(20)),
                                           nodes: 2)
        dead.openStream(21, from: NodeID(0), to: NodeID(1), timeout: .seconds(10))
        dead.run(for: .seconds(20))
        let failed = dead.events(of: NodeID(0)).filter { if case .completed = $0.1 { return true } else { return false } }
        #expect(failed.map(\.0) == [VirtualInstant(nanoseconds: 10_000_000_000)], "\(seed)")
        #expect(failed.first?.1 == .completed(21, .failed(.timedOut)), "\(seed)")

        // Half the segments lost: each stream still completes, later than 40 ms by a sum of
        // resend timeouts (multiples of 200 ms), and the late ones are the reason for it.
        let lossy = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 0.5, latency: .milliseconds(20)),
                                            nodes: 2)
        for request in 1...20 { lossy.openStream(request, from: NodeID(0), to: NodeID(1), timeout: .seconds(400)) }
        lossy.run(for: .seconds(800))
        let times = lossy.events(of: NodeID(0)).compactMap { event -> UInt64? in
            if case .completed(_, .reply) = event.1 { return event.0.nanoseconds } else { return nil }
        }
        #expect(times.count == 20, "\(seed)")
        #expect(times.allSatisfy { $0 >= 40_000_000 && ($0 - 40_000_000) % 200_000_000 == 0 }, "\(times) \(seed)")
        #expect(times.contains { $0 > 40_000_000 }, "\(times) \(seed)")
    }

    @Test func streamToPartitionedOrCrashedPeerFailsAtTheTimeout() throws {
        let sim = Simulator<ScriptedNode>(seed: seed.value, conditions: LinkConditions(loss: 0), nodes: 3)
        sim.partition(Partition.isolating([NodeID(1)], from: sim.nodeIDs))
        try sim.inject(.crash(NodeID(2)))
        sim.openStream(1, from: NodeID(0), to: NodeID(1), timeout: .seconds(10))
        sim.openStream(2, from: NodeID(0), to: NodeID(2), timeout: .seconds(10))
        sim.run(for: .seconds(30))
        let completions = sim.events(of: NodeID(0)).filter {
            if case .completed = $0.1 { return true } else { return false }
        }
        #expect(completions.count == 2, "\(seed)")
        for (time, event) in completions {
            #expect(time == VirtualInstant(nanoseconds: 10_000_000_000), "\(seed)")
            if case let .completed(_, result) = event {
                #expect(result == .failed(.timedOut), "\(seed)")
            }
        }
        #expect(!sim.events(of: NodeID(1)).contains { if case .served = $0.1 { true } else { false } })
    }
}
