import KV
import Membership
import MonotonicTime
import Wire

/// Adapts one `MembershipCore` to the simulator (`SimulatedNode`).
///
/// Packets travel as structured messages (no encoding), each one an
/// `OutgoingPacket`'s message list that the receiver feeds to its core part by
/// part, as a decoded compound would be. Push/pull and stream pings travel as
/// stream requests; their replies and failures come back through the core's
/// `pushPullFinished` / `streamPingFinished` inputs (memberlist-wire.md §4.2, §4.4).
///
/// With a `KVStoreConfig` the node also runs dskit's KV store behind the core
/// (`SimulatedDelegate`): KV updates travel as the user messages and push/pull state a
/// running node sends, on the virtual network, under the virtual clock.
public struct MembershipNode: SimulatedNode {
    public typealias Packet = [Message]
    public typealias Timer = MembershipTimer
    public typealias Event = MembershipObservation

    /// A stream a core asked for.
    public enum StreamRequest {
        case pushPull(PushPullRequest)
        case ping(StreamPingRequest)
    }

    /// What the remote side writes back on the stream.
    public enum StreamReply {
        case pushPull(PushPullState)
        case ack(AckResponse)
    }

    public let id: NodeID
    public let core: MembershipCore
    /// Seeds this node joins through when it boots (empty: start alone).
    public let joinTargets: [JoinTarget]
    /// Deliver and re-queue each user message not seen before, as Serf and
    /// dskit do on top of memberlist (which never re-gossips them), by the
    /// rule of `UserMessageRelay`; false: bare memberlist, every copy delivered.
    public let rebroadcastsUserMessages: Bool
    private let delegate = SimulatedDelegate()
    /// Which user messages are new here (the rule `GossipNode` runs too).
    private var relay = UserMessageRelay()
    private var scratch: [MembershipEffect] = []

    /// Wraps `core`, installing the delegate that records user messages and, with `kv`,
    /// runs a KV store of those settings.
    public init(id: NodeID, core: MembershipCore, joinTargets: [JoinTarget], rebroadcastsUserMessages: Bool = true,
                kv: KVStoreConfig? = nil) {
        self.id = id
        self.core = core
        self.joinTargets = joinTargets
        self.rebroadcastsUserMessages = rebroadcastsUserMessages
        delegate.kv = kv.map { KVStore(config: $0) }
        delegate.core = core
        core.delegate = delegate
    }

    /// Builds a core named and addressed by `SimulatedAddressing`, with its
    /// generator seeded from the simulator-derived seed.
    public init(context: Simulator<MembershipNode>.NodeContext, config base: MembershipConfig,
                joinTargets: [JoinTarget], rebroadcastsUserMessages: Bool = true,
                kv: KVStoreConfig? = nil) throws(MembershipError) {
        var config = base
        config.name = SimulatedAddressing.name(of: context.id)
        let address = SimulatedAddressing.address(of: context.id)
        config.bindAddress = address.ip
        config.bindPort = address.port
        let core = try MembershipCore(config: config, advertise: address, random: SeededRandom(seed: context.seed))
        self.init(id: context.id, core: core, joinTargets: joinTargets,
                  rebroadcastsUserMessages: rebroadcastsUserMessages, kv: kv)
    }

    static func instant(_ now: VirtualInstant) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(clamping: now.nanoseconds))
    }

    /// Unix milliseconds of virtual time zero (2026-01-01T00:00:00Z): KV update times and
    /// ring timestamps are wall-clock values, every simulated node reads the same clock.
    public static let wallClockEpochMillis: Int64 = 1_767_225_600_000

    /// The wall clock at virtual instant `now`, in Unix milliseconds.
    public static func wallClockMillis(_ now: VirtualInstant) -> Int64 {
        wallClockEpochMillis + Int64(clamping: now.nanoseconds / 1_000_000)
    }

    /// The node's KV store (nil without one), for reading.
    public var kvStore: KVStore? { delegate.kv }

    /// One CAS attempt on the KV store at `now` (dskit `CAS`, dskit-kv-ring.md 3.4): reads
    /// the value, runs `update`, commits; nil without a store. The caller applies
    /// `KVCASOutcome.nextStep`. A change is queued on the local queue (and sent at once under
    /// eager dissemination).
    public mutating func kvCAS(key: String, codecID: String, at now: VirtualInstant,
                               effects: inout [SimulatedEffect<MembershipNode>],
                               update: ((any MergeableValue)?) -> (any MergeableValue)?) throws(KVError) -> KVCASOutcome? {
        delegate.nowMillis = Self.wallClockMillis(now)
        defer { translate(at: now, into: &effects) }
        let outcome = try delegate.kv?.cas(key: key, codecID: codecID, nowMillis: delegate.nowMillis, update: update)
        if case .changed? = outcome { delegate.kvChanged = true }
        return outcome
    }

    /// Counts a CAS the caller gave up on (`cas_failure_total`).
    public mutating func kvCASGaveUp() {
        delegate.kv?.casGaveUp()
    }

    /// Marks `key` deleted at `now` and broadcasts it (dskit `Delete`); false when the key
    /// has no value or the node no store.
    public mutating func kvDelete(_ key: String, at now: VirtualInstant,
                                  effects: inout [SimulatedEffect<MembershipNode>]) throws(KVError) -> Bool {
        delegate.nowMillis = Self.wallClockMillis(now)
        defer { translate(at: now, into: &effects) }
        guard try delegate.kv?.delete(key, nowMillis: delegate.nowMillis).version != nil else { return false }
        delegate.kvChanged = true
        return true
    }

    public mutating func start(at now: VirtualInstant, effects: inout [SimulatedEffect<MembershipNode>]) {
        delegate.nowMillis = Self.wallClockMillis(now)
        let at = Self.instant(now)
        core.start(at: at, into: &scratch)
        if !joinTargets.isEmpty {
            core.join(joinTargets, at: at, into: &scratch)
        }
        translate(at: now, into: &effects)
    }

    public mutating func receive(_ packet: [Message], from sender: NodeID, at now: VirtualInstant,
                                 effects: inout [SimulatedEffect<MembershipNode>]) {
        delegate.nowMillis = Self.wallClockMillis(now)
        let at = Self.instant(now)
        let from = SimulatedAddressing.address(of: sender)
        for message in packet {
            core.receive(message, from: from, at: at, into: &scratch)
        }
        translate(at: now, into: &effects)
    }

    public mutating func fire(_ timer: MembershipTimer, at now: VirtualInstant,
                              effects: inout [SimulatedEffect<MembershipNode>]) {
        delegate.nowMillis = Self.wallClockMillis(now)
        core.timerFired(timer, at: Self.instant(now), into: &scratch)
        translate(at: now, into: &effects)
    }

    public mutating func serve(_ request: StreamRequest, from sender: NodeID, at now: VirtualInstant,
                               effects: inout [SimulatedEffect<MembershipNode>]) -> StreamReply? {
        delegate.nowMillis = Self.wallClockMillis(now)
        let reply: StreamReply?
        switch request {
        case let .pushPull(pushPull):
            let from = SimulatedAddressing.address(of: sender)
            reply = .pushPull(core.answerPushPull(pushPull.state, from: from, at: Self.instant(now), into: &scratch))
        case let .ping(ping):
            reply = core.answerStreamPing(ping.ping).map(StreamReply.ack)
        }
        translate(at: now, into: &effects)
        return reply
    }

    public mutating func complete(_ request: StreamRequest, to peer: NodeID, result: StreamOutcome<StreamReply>,
                                  at now: VirtualInstant, effects: inout [SimulatedEffect<MembershipNode>]) {
        delegate.nowMillis = Self.wallClockMillis(now)
        let at = Self.instant(now)
        switch request {
        case let .pushPull(pushPull):
            let outcome: Result<PushPullState, PushPullFailure>
            switch result {
            case let .reply(.pushPull(state)): outcome = .success(state)
            case .reply(.ack): outcome = .failure(.malformedReply("ack on a push/pull stream"))
            case let .failed(failure): outcome = .failure(.transport("simulated stream \(failure)"))
            }
            core.pushPullFinished(pushPull.id, result: outcome, at: at, into: &scratch)
        case let .ping(ping):
            var acked = false
            if case let .reply(.ack(ack)) = result { acked = ack.seqNo == ping.ping.seqNo }
            core.streamPingFinished(seqNo: ping.ping.seqNo, acked: acked, at: at, into: &scratch)
        }
        translate(at: now, into: &effects)
    }

    /// Queues a user broadcast originating here (marked seen, so it is not
    /// delivered or re-queued when it comes back); with eager dissemination it goes
    /// out at once.
    public mutating func broadcast(_ payload: [UInt8], key: String? = nil, at now: VirtualInstant,
                                   effects: inout [SimulatedEffect<MembershipNode>]) {
        delegate.nowMillis = Self.wallClockMillis(now)
        _ = relay.firstSighting(payload)
        core.queueUserBroadcast(payload, key: key)
        core.disseminate(at: Self.instant(now), into: &scratch)
        translate(at: now, into: &effects)
    }

    /// Runs an API call on the core (join, leave, update, broadcast) and
    /// translates what it asked for.
    public mutating func perform(at now: VirtualInstant, effects: inout [SimulatedEffect<MembershipNode>],
                                 _ body: (MembershipCore, MonotonicInstant, inout [MembershipEffect]) -> Void) {
        delegate.nowMillis = Self.wallClockMillis(now)
        body(core, Self.instant(now), &scratch)
        translate(at: now, into: &effects)
    }

    /// Maps the core's effects onto the virtual network and clock, then
    /// reports user messages the delegate collected.
    private mutating func translate(at now: VirtualInstant, into effects: inout [SimulatedEffect<MembershipNode>]) {
        for effect in scratch {
            switch effect {
            case let .send(packet):
                effects.append(.send(packet.messages, to: Self.slot(packet.to)))
            case let .openPushPull(request):
                let timeout = VirtualDuration(nanoseconds: UInt64(clamping: request.timeout.nanosecondsClamped))
                effects.append(.openStream(.pushPull(request), to: Self.slot(request.to), timeout: timeout))
            case let .openStreamPing(request):
                let deadline = VirtualInstant(nanoseconds: UInt64(clamping: request.deadline.nanoseconds))
                effects.append(.openStream(.ping(request), to: Self.slot(request.to), timeout: deadline.since(now)))
            case let .armTimer(timer, instant):
                effects.append(.arm(timer, at: VirtualInstant(nanoseconds: UInt64(clamping: instant.nanoseconds))))
            case let .event(event):
                effects.append(.event(.member(event)))
            case let .joinFinished(id, successes, failures):
                effects.append(.event(.joinFinished(id, successes: successes, failures: failures)))
            case let .leaveFinished(id, timedOut):
                effects.append(.event(.leaveFinished(id, timedOut: timedOut)))
            case let .updateFinished(id, timedOut):
                effects.append(.event(.updateFinished(id, timedOut: timedOut)))
            case let .mergeRejected(peer, reason):
                effects.append(.event(.mergeRejected(peer: peer, reason: reason)))
            }
        }
        scratch.removeAll(keepingCapacity: true)
        if delegate.kvChanged {
            delegate.kvChanged = false
            // Fresh KV broadcasts go out at once under eager dissemination (`GossipNode.flushKV`).
            if core.config.eagerDissemination {
                core.disseminate(at: Self.instant(now), into: &scratch)
                translate(at: now, into: &effects)
            }
        }
        if !delegate.messages.isEmpty {
            var relayed = false
            defer {
                // Relays queued outside a core call go out at once under eager dissemination.
                if relayed && core.config.eagerDissemination {
                    core.disseminate(at: Self.instant(now), into: &scratch)
                    translate(at: now, into: &effects)
                }
            }
            for message in delegate.messages {
                if !rebroadcastsUserMessages {
                    // Bare memberlist hands every copy to the application.
                    effects.append(.event(.userMessage(message)))
                } else if relay.firstSighting(message) {
                    effects.append(.event(.userMessage(message)))
                    core.queueUserBroadcast(message)
                    relayed = true
                }
            }
            delegate.messages.removeAll(keepingCapacity: true)
        }
    }

    /// Addresses outside the simulated scheme map to a slot no node has, so
    /// the simulator counts the packet as lost (or the stream as unknown peer).
    static func slot(_ address: NodeAddress) -> NodeID {
        SimulatedAddressing.node(at: address) ?? NodeID(-1)
    }
}
