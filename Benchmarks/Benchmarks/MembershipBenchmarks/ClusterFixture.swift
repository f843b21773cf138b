import Membership
import MonotonicTime
import Wire

/// A started `MembershipCore` named `node-0` that knows `memberCount - 1` alive peers
/// `node-1`... and has sent every broadcast their arrival queued, so that its queue is
/// empty: the steady state of a healthy cluster (memberlist-wire.md §7).
struct ClusterFixture {
    /// Go's default version bytes [pmin, pmax, pcur, dmin, dmax, dcur] (§2.4).
    static let versionBytes: [UInt8] = [1, 5, 2, 0, 0, 0]
    static let port: UInt16 = 7_946

    let core: MembershipCore
    let memberCount: Int
    var effects: [MembershipEffect] = []
    /// The core's clock; advanced by the benchmarks, never read from the system.
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)

    static func name(_ index: Int) -> String { "node-\(index)" }

    static func address(_ index: Int) -> NodeAddress {
        NodeAddress(ip: IPAddress(10, 0, UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)), port: port)
    }

    init(members memberCount: Int, seed: UInt64 = 1) throws(MembershipError) {
        self.memberCount = memberCount
        var config = MembershipConfig.lan
        config.name = Self.name(0)
        config.bindPort = Self.port
        core = try MembershipCore(config: config, advertise: Self.address(0), random: SeededRandom(seed: seed))
        effects.reserveCapacity(256)
        core.start(at: now, into: &effects)
        for index in 1..<memberCount {
            effects.removeAll(keepingCapacity: true)
            core.receive(.alive(alive(index, incarnation: 1)), from: Self.address(index), at: now, into: &effects)
        }
        drainBroadcasts()
    }

    func alive(_ index: Int, incarnation: UInt32) -> Alive {
        let address = Self.address(index)
        return Alive(incarnation: incarnation, node: Self.name(index), addr: address.ip, port: address.port,
                     meta: nil, vsn: Self.versionBytes)
    }

    /// A ping from `node-1` to this node, as a probe sends it (§7.1).
    var ping: Ping {
        let source = Self.address(1)
        return Ping(seqNo: 7, node: Self.name(0), sourceAddr: source.ip, sourcePort: source.port, sourceNode: Self.name(1))
    }

    /// The push/pull state a peer holding the same view would send, with every peer's
    /// incarnation set to `incarnation` (§4.2).
    func remoteState(incarnation: UInt32) -> PushPullState {
        let selfEntry = PushNodeState(name: Self.name(0), addr: core.localAddress.ip, port: Self.port, meta: nil,
                                      incarnation: core.localIncarnation, state: .alive, vsn: Self.versionBytes)
        let peers = (1..<memberCount).map { index in
            PushNodeState(name: Self.name(index), addr: Self.address(index).ip, port: Self.port, meta: nil,
                          incarnation: incarnation, state: .alive, vsn: Self.versionBytes)
        }
        return PushPullState(join: false, nodes: [selfEntry] + peers, userState: [])
    }

    /// Answers pings until every queued membership and user broadcast reached its retransmit limit.
    mutating func drainBroadcasts() {
        var rounds = 0
        while core.queuedBroadcasts != (0, 0) && rounds < 100_000 {
            answerPing()
            rounds += 1
        }
    }

    /// One inbound ping handled with the reused effects buffer; returns whether an ack came out.
    @discardableResult
    mutating func answerPing() -> Bool {
        effects.removeAll(keepingCapacity: true)
        core.receive(.ping(ping), from: Self.address(1), at: now, into: &effects)
        for effect in effects {
            if case .send(let packet) = effect, case .ack? = packet.messages.first { return true }
        }
        return false
    }

    /// One gossip round (§7.2), 200 ms (GossipInterval) after the last.
    mutating func gossipTick() {
        now = now.advanced(by: .milliseconds(200))
        effects.removeAll(keepingCapacity: true)
        core.timerFired(.gossipTick, at: now, into: &effects)
    }

    /// Number of packets the last call asked to send.
    var sentPackets: Int {
        effects.reduce(0) { count, effect in
            if case .send = effect { return count + 1 }
            return count
        }
    }
}
