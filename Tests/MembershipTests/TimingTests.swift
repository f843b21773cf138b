import Testing
@testable import Membership

/// Scaling formulas pinned to memberlist-wire.md §7.2, §7.3, §7.5.
@Suite struct TimingTests {
    @Test func suspicionBoundsForFiveAndHundredNodes() {
        let interval = seconds(1)
        let min5 = MembershipTiming.suspicionMinimum(suspicionMult: 4, nodeCount: 5, probeInterval: interval)
        #expect(min5 == seconds(4))
        let min100 = MembershipTiming.suspicionMinimum(suspicionMult: 4, nodeCount: 100, probeInterval: interval)
        #expect(min100 == seconds(8))
        #expect(6 * min100 == seconds(48))
        // log10(1000) = 3 → 12 s; the node scale is truncated to 1/1000: n = 20 → 1.301 → 5.204 s.
        #expect(MembershipTiming.suspicionMinimum(suspicionMult: 4, nodeCount: 20, probeInterval: interval) == 5_204_000_000)
    }

    @Test func suspicionShrinksWithConfirmations() {
        let minimum = seconds(4), maximum = seconds(24)
        #expect(MembershipTiming.suspicionTimeout(confirmations: 0, k: 2, minimum: minimum, maximum: maximum) == seconds(24))
        #expect(MembershipTiming.suspicionTimeout(confirmations: 1, k: 2, minimum: minimum, maximum: maximum) == 11_381_000_000)
        #expect(MembershipTiming.suspicionTimeout(confirmations: 2, k: 2, minimum: minimum, maximum: maximum) == seconds(4))
    }

    @Test func retransmitLimit() {
        #expect(MembershipTiming.retransmitLimit(retransmitMult: 4, nodeCount: 100) == 12)
        #expect(MembershipTiming.retransmitLimit(retransmitMult: 4, nodeCount: 99) == 8)
        #expect(MembershipTiming.retransmitLimit(retransmitMult: 4, nodeCount: 1) == 4)
        #expect(MembershipTiming.retransmitLimit(retransmitMult: 4, nodeCount: 9) == 4)
        #expect(MembershipTiming.retransmitLimit(retransmitMult: 4, nodeCount: 10) == 8)
    }

    @Test func pushPullScale() {
        #expect(MembershipTiming.pushPullScale(nodeCount: 1) == 1)
        #expect(MembershipTiming.pushPullScale(nodeCount: 32) == 1)
        #expect(MembershipTiming.pushPullScale(nodeCount: 33) == 2)
        #expect(MembershipTiming.pushPullScale(nodeCount: 64) == 2)
        #expect(MembershipTiming.pushPullScale(nodeCount: 65) == 3)
        #expect(MembershipTiming.pushPullScale(nodeCount: 100) == 3)
        #expect(MembershipTiming.pushPullScale(nodeCount: 128) == 3)
        #expect(MembershipTiming.pushPullScale(nodeCount: 129) == 4)
    }

    @Test func awarenessScalingAndClamping() {
        var awareness = Awareness(maxMultiplier: 8)
        #expect(MembershipTiming.scaled(seconds(1), healthScore: awareness.score) == seconds(1))
        awareness.apply(3)
        #expect(MembershipTiming.scaled(seconds(1), healthScore: awareness.score) == seconds(4))
        awareness.apply(100)
        #expect(awareness.score == 7)
        #expect(MembershipTiming.scaled(seconds(1), healthScore: awareness.score) == seconds(8))
        awareness.apply(-100)
        #expect(awareness.score == 0)
    }

    @Test func presetsMatchMemberlistDefaults() {
        let lan = MembershipConfig.lan, wan = MembershipConfig.wan, local = MembershipConfig.local
        #expect(lan.probeInterval == .seconds(1) && lan.probeTimeout == .milliseconds(500))
        #expect(lan.indirectChecks == 3 && lan.retransmitMult == 4 && lan.suspicionMult == 4)
        #expect(lan.suspicionMaxTimeoutMult == 6 && lan.pushPullInterval == .seconds(30))
        #expect(lan.gossipInterval == .milliseconds(200) && lan.gossipNodes == 3)
        #expect(lan.gossipToTheDeadTime == .seconds(30) && lan.awarenessMaxMultiplier == 8)
        #expect(lan.udpBufferSize == 1400 && lan.tcpTimeout == .seconds(10))
        #expect(lan.protocolVersion == 2 && lan.deadNodeReclaimTime == .zero && lan.bindPort == 7946)
        #expect(wan.tcpTimeout == .seconds(30) && wan.suspicionMult == 6 && wan.pushPullInterval == .seconds(60))
        #expect(wan.probeTimeout == .seconds(3) && wan.probeInterval == .seconds(5) && wan.gossipNodes == 4)
        #expect(wan.gossipInterval == .milliseconds(500) && wan.gossipToTheDeadTime == .seconds(60))
        #expect(local.tcpTimeout == .seconds(1) && local.indirectChecks == 1 && local.retransmitMult == 2)
        #expect(local.suspicionMult == 3 && local.pushPullInterval == .seconds(15))
        #expect(local.probeTimeout == .milliseconds(200) && local.gossipInterval == .milliseconds(100))
        #expect(local.gossipToTheDeadTime == .seconds(15))
        #expect(lan.versions.bytes == [1, 5, 2, 0, 0, 0])
    }
}
