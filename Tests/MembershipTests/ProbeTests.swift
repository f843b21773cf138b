import MonotonicTime
import Testing
import Wire
@testable import Membership

/// Failure detection, memberlist-wire.md §7.1.
@Suite struct ProbeTests {
    /// A harness with peers b, c, d, e (protocol max 5 unless given).
    func cluster(_ protocolMax: UInt8 = 5, config: MembershipConfig = .lan) throws -> Harness {
        let h = try Harness(config: config)
        for (name, last) in [("b", UInt8(2)), ("c", 3), ("d", 4), ("e", 5)] {
            h.addAlive(name, last, protocolMax: protocolMax)
        }
        return h
    }

    /// Fire the probe tick and return the ping it sent and its packet.
    func probeOnce(_ h: Harness) throws -> (Ping, OutgoingPacket) {
        h.fireArmed(.probeTick)
        let packet = try #require(h.packets.first { !$0.pings.isEmpty })
        return (try #require(packet.pings.first), packet)
    }

    /// Fire probe ticks until one sends a ping. Like Go, a tick that finds
    /// only skipped entries (self, dead, left) across a wrap-around probes nobody.
    func probeNext(_ h: Harness) throws -> Ping {
        for _ in 0..<3 {
            h.fireArmed(.probeTick)
            if let ping = h.packets.lazy.compactMap(\.pings.first).first { return ping }
        }
        throw ProbeTestError.noProbe
    }

    enum ProbeTestError: Error { case noProbe }

    @Test func probeOrderCoversEveryNodeOncePerRound() throws {
        let h = try cluster()
        for _ in 0..<3 {
            var round: [String] = []
            for _ in 0..<4 {
                let (ping, _) = try probeOnce(h)
                round.append(ping.node)
                h.receive(.ack(AckResponse(seqNo: ping.seqNo)))
            }
            #expect(round.sorted() == ["b", "c", "d", "e"])
        }
    }

    @Test func probeSkipsDeadAndLeftAndReapsAfterGossipToTheDeadTime() throws {
        let h = try cluster()
        h.receive(.dead(Dead(incarnation: 1, node: "c", from: "b")))
        h.receive(.dead(Dead(incarnation: 1, node: "d", from: "d")))
        var probed: [String] = []
        for _ in 0..<6 {
            let ping = try probeNext(h)
            probed.append(ping.node)
            h.receive(.ack(AckResponse(seqNo: ping.seqNo)))
        }
        #expect(Set(probed) == ["b", "e"])
        #expect(h.core.member(named: "c") != nil)
        // After GossipToTheDeadTime (30 s) the next round end reaps dead and left nodes.
        h.advance(seconds: 31)
        for _ in 0..<3 {
            let ping = try probeNext(h)
            h.receive(.ack(AckResponse(seqNo: ping.seqNo)))
        }
        #expect(h.core.member(named: "c") == nil)
        #expect(h.core.member(named: "d") == nil)
        #expect(h.core.memberCount == 3)
    }

    @Test func pingCarriesSourceAndTargetName() throws {
        let h = try cluster()
        let (ping, packet) = try probeOnce(h)
        #expect(ping.sourceAddr == IPAddress(10, 0, 0, 1))
        #expect(ping.sourcePort == 7946)
        #expect(ping.sourceNode == "a")
        #expect(h.core.member(named: ping.node)?.address == packet.to)
        #expect(packet.nodeName == ping.node)
        // Plain sends look the node up by IP string, and no node is named like an IP (§3.3).
        #expect(packet.addCRC == false)
        #expect(h.timers.contains { $0.0 == .probeTimeout(seqNo: ping.seqNo) && $0.1 == h.now.advanced(byNanoseconds: seconds(0.5)) })
        #expect(h.timers.contains { $0.0 == .probeDeadline(seqNo: ping.seqNo) && $0.1 == h.now.advanced(byNanoseconds: seconds(1)) })
    }

    @Test func suspectTargetGetsPingPlusSuspectWithoutPiggyback() throws {
        let h = try Harness()
        h.addAlive("b", 2)
        h.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "x")))
        let (ping, packet) = try probeOnce(h)
        #expect(packet.messages == [.ping(ping), .suspect(Suspect(incarnation: 1, node: "b", from: "a"))])
        #expect(packet.addCRC == true)
    }

    @Test func directAckIsSuccessAndLowersHealthScore() throws {
        let h = try cluster()
        h.receive(.suspect(Suspect(incarnation: 1, node: "a", from: "b")))
        h.receive(.suspect(Suspect(incarnation: 2, node: "a", from: "b")))
        #expect(h.core.healthScore == 2)
        let (ping, _) = try probeOnce(h)
        h.receive(.ack(AckResponse(seqNo: ping.seqNo)))
        #expect(h.core.healthScore == 1)
        // The deadline of a finished probe is stale.
        h.advance(seconds: 5)
        #expect(h.fire(.probeDeadline(seqNo: ping.seqNo)).isEmpty)
    }

    @Test func indirectPingsWithNacksThenSuspect() throws {
        let h = try cluster()
        let (ping, _) = try probeOnce(h)
        h.fireArmed(.probeTimeout(seqNo: ping.seqNo))
        let requests = h.packets.compactMap { packet -> (OutgoingPacket, IndirectPingRequest)? in
            if case .indirectPing(let r) = packet.messages.first { (packet, r) } else { nil }
        }
        #expect(requests.count == 3)
        let target = try #require(h.core.member(named: ping.node))
        for (packet, request) in requests {
            #expect(request.seqNo == ping.seqNo)
            #expect(request.nack == true)
            #expect(request.node == ping.node)
            #expect(request.target == target.address.ip && request.port == target.address.port)
            #expect(packet.nodeName != ping.node && packet.nodeName != "a")
        }
        // TCP fallback to the target with the probe deadline.
        let fallback = try #require(h.effects.compactMap { if case .openStreamPing(let r) = $0 { r } else { nil } }.first)
        #expect(fallback.ping == ping)
        #expect(fallback.to == target.address)
        #expect(fallback.deadline == h.armed[.probeDeadline(seqNo: ping.seqNo)])
        // One nack of three expected.
        h.receive(.nack(NackResponse(seqNo: ping.seqNo)))
        h.fireArmed(.probeDeadline(seqNo: ping.seqNo))
        #expect(h.events.isEmpty)  // waits for the fallback result
        h.run { core, now, effects in core.streamPingFinished(seqNo: ping.seqNo, acked: false, at: now, into: &effects) }
        #expect(h.core.member(named: ping.node)?.state == .suspect)
        #expect(h.core.healthScore == 2)  // 3 expected − 1 received
        guard case .suspected(let member) = h.events.first else { Issue.record("no suspect"); return }
        #expect(member.name == ping.node)
    }

    @Test func failedProbeWithoutNackCapablePeersCostsOne() throws {
        var config = MembershipConfig.lan
        config.disableTcpPings = true
        let h = try cluster(3, config: config)
        let (ping, _) = try probeOnce(h)
        h.fireArmed(.probeTimeout(seqNo: ping.seqNo))
        let requests = h.packets.compactMap { if case .indirectPing(let r) = $0.messages.first { r } else { nil } }
        #expect(requests.count == 3 && requests.allSatisfy { !$0.nack })
        #expect(!h.effects.contains { if case .openStreamPing = $0 { true } else { false } })
        h.fireArmed(.probeDeadline(seqNo: ping.seqNo))
        #expect(h.core.healthScore == 1)
        #expect(h.core.member(named: ping.node)?.state == .suspect)
    }

    @Test func indirectAckBeforeDeadlineIsSuccess() throws {
        let h = try cluster()
        let (ping, _) = try probeOnce(h)
        h.fireArmed(.probeTimeout(seqNo: ping.seqNo))
        h.receive(.ack(AckResponse(seqNo: ping.seqNo)))
        h.fireArmed(.probeDeadline(seqNo: ping.seqNo))
        h.run { core, now, effects in core.streamPingFinished(seqNo: ping.seqNo, acked: false, at: now, into: &effects) }
        #expect(h.core.member(named: ping.node)?.state == .alive)
        #expect(h.core.healthScore == 0)
    }

    @Test func tcpFallbackSuccessAvoidsSuspicion() throws {
        let h = try cluster()
        let (ping, _) = try probeOnce(h)
        h.fireArmed(.probeTimeout(seqNo: ping.seqNo))
        h.run { core, now, effects in core.streamPingFinished(seqNo: ping.seqNo, acked: true, at: now, into: &effects) }
        #expect(h.events.isEmpty)
        h.fireArmed(.probeDeadline(seqNo: ping.seqNo))
        #expect(h.core.member(named: ping.node)?.state == .alive)
        #expect(h.core.healthScore == 0)
    }

    @Test func healthScoreScalesTheProbeIntervalAndSkipsTicks() throws {
        var config = MembershipConfig.lan
        config.disableTcpPings = true
        let h = try cluster(3, config: config)
        for inc in UInt32(1)...3 { h.receive(.suspect(Suspect(incarnation: inc, node: "a", from: "b"))) }
        #expect(h.core.healthScore == 3)
        let (ping, _) = try probeOnce(h)
        let start = h.now
        #expect(h.armed[.probeDeadline(seqNo: ping.seqNo)] == start.advanced(byNanoseconds: seconds(4)))
        // Ticks during the probe are buffered once, not run.
        h.fireArmed(.probeTick)
        #expect(h.packets.isEmpty)
        h.fireArmed(.probeTick)
        #expect(h.packets.isEmpty)
        h.receive(.ack(AckResponse(seqNo: ping.seqNo)))
        // The buffered tick runs at once when the probe ends.
        #expect(h.packets.contains { !$0.pings.isEmpty })
    }

    @Test func answersPingToSourceAddressAndPort() throws {
        let h = try Harness()
        let from = NodeAddress(ip: IPAddress(10, 0, 0, 99), port: 1234)
        h.receive(.ping(Ping(seqNo: 5, node: "a", sourceAddr: IPAddress(10, 0, 0, 7), sourcePort: 9000, sourceNode: "x")),
                  from: from)
        let packet = try #require(h.packets.first)
        #expect(packet.to == NodeAddress(ip: IPAddress(10, 0, 0, 7), port: 9000))
        #expect(packet.nodeName == "x")
        #expect(packet.acks.first == AckResponse(seqNo: 5, payload: nil))
        // Without Source* (or with port 0): reply to the UDP source.
        h.receive(.ping(Ping(seqNo: 6, node: "", sourceAddr: IPAddress(10, 0, 0, 7), sourcePort: 0)), from: from)
        #expect(h.packets.first?.to == from)
        #expect(h.packets.first?.acks.first?.seqNo == 6)
    }

    @Test func ignoresPingForAnotherName() throws {
        let h = try Harness()
        #expect(h.receive(.ping(Ping(seqNo: 5, node: "someone-else"))).isEmpty)
        #expect(h.core.answerStreamPing(Ping(seqNo: 5, node: "someone-else")) == nil)
        #expect(h.core.answerStreamPing(Ping(seqNo: 5, node: "a")) == AckResponse(seqNo: 5, payload: nil))
    }

    @Test func forwardsIndirectAckWithRequesterSeqNo() throws {
        let h = try Harness()
        let request = IndirectPingRequest(seqNo: 77, target: IPAddress(10, 0, 0, 9), port: 7000, node: "x", nack: true,
                                          sourceAddr: IPAddress(10, 0, 0, 2), sourcePort: 7946, sourceNode: "b")
        h.receive(.indirectPing(request))
        let forwarded = try #require(h.packets.first)
        let ping = try #require(forwarded.pings.first)
        #expect(forwarded.to == NodeAddress(ip: IPAddress(10, 0, 0, 9), port: 7000))
        #expect(ping.node == "x" && ping.seqNo != 77 && ping.sourceNode == "a")
        h.receive(.ack(AckResponse(seqNo: ping.seqNo, payload: [1])))
        let reply = try #require(h.packets.first)
        #expect(reply.to == address(2))
        #expect(reply.acks.first == AckResponse(seqNo: 77, payload: nil))
        // Answered: the nack timer is stale.
        #expect(h.fireArmed(.indirectProbeTimeout(seqNo: ping.seqNo)).isEmpty)
    }

    @Test func sendsNackWhenIndirectTargetIsSilent() throws {
        let h = try Harness()
        let from = address(3)
        h.receive(.indirectPing(IndirectPingRequest(seqNo: 78, target: IPAddress(10, 0, 0, 9), port: 0, node: "x", nack: true)),
                  from: from)
        let ping = try #require(h.packets.first?.pings.first)
        // Port 0 → our bind port.
        #expect(h.packets.first?.to == NodeAddress(ip: IPAddress(10, 0, 0, 9), port: 7946))
        #expect(h.armed[.indirectProbeTimeout(seqNo: ping.seqNo)] == h.now.advanced(byNanoseconds: seconds(0.5)))
        h.fireArmed(.indirectProbeTimeout(seqNo: ping.seqNo))
        let nack = try #require(h.packets.first)
        #expect(nack.to == from)
        #expect(nack.messages.first == .nack(NackResponse(seqNo: 78)))
        // Without Nack requested: silence.
        h.receive(.indirectPing(IndirectPingRequest(seqNo: 79, target: IPAddress(10, 0, 0, 9), port: 1, node: "x", nack: false)))
        let second = try #require(h.packets.first?.pings.first)
        #expect(h.fireArmed(.indirectProbeTimeout(seqNo: second.seqNo)).isEmpty)
    }

    @Test func staleAndEarlyTimersAreIgnored() throws {
        let h = try cluster()
        #expect(h.fire(.probeTimeout(seqNo: 999)).isEmpty)
        #expect(h.fire(.probeDeadline(seqNo: 999)).isEmpty)
        #expect(h.fire(.suspicion(node: "b", generation: 42)).isEmpty)
        #expect(h.fire(.operationTimeout(OperationID(rawValue: 9))).isEmpty)
        // Probe tick before its armed instant.
        let at = try #require(h.armed[.probeTick])
        h.advance(to: MonotonicInstant(nanoseconds: at.nanoseconds - 1))
        #expect(h.fire(.probeTick).isEmpty)
    }

    @Test func crcFollowsGoAddressLookupQuirk() throws {
        let h = try Harness()
        // A node named by its IP string, protocol 5: plain sends to it get a CRC.
        h.receive(.alive(Alive(incarnation: 1, node: "10.0.0.5", addr: IPAddress(10, 0, 0, 5), port: 7946, meta: nil,
                               vsn: [1, 5, 2, 0, 0, 0])))
        h.receive(.ping(Ping(seqNo: 1, node: "a", sourceAddr: IPAddress(10, 0, 0, 5), sourcePort: 7946, sourceNode: "10.0.0.5")))
        #expect(h.packets.first?.addCRC == true)
        h.receive(.ping(Ping(seqNo: 2, node: "a", sourceAddr: IPAddress(10, 0, 0, 6), sourcePort: 7946, sourceNode: "q")))
        #expect(h.packets.first?.addCRC == false)
    }
}
