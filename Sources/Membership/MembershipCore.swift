import MonotonicTime
import Wire

/// The SWIM + Lifeguard membership state machine of hashicorp/memberlist,
/// sans-IO (ARCHITECTURE.md, "The pure cores are sans-IO"; rules in
/// memberlist-wire.md §7-9).
///
/// Every entry point takes the current monotonic instant and appends the
/// resulting `MembershipEffect`s to the caller's buffer, which the caller may
/// reuse between calls (`removeAll(keepingCapacity: true)`). Randomness comes
/// from the injected `SeededRandom`. The core is confined to one thread.
///
/// Nodes live in one array in probe order plus a name → index dictionary,
/// as memberlist keeps `nodes` and `nodeMap`, so a message about a node is O(1).
public final class MembershipCore {
    public let config: MembershipConfig
    /// Where this node receives packets and streams (advertise address and port).
    public let localAddress: NodeAddress
    /// Application hooks (user state, user messages, ack payloads).
    public var delegate: (any MembershipDelegate)?

    // Membership (memberlist nodes / nodeMap).
    var members: [MemberRecord] = []
    var indexByName: [String: Int] = [:]
    /// Members whose name could be an IP string; only then can Go's CRC
    /// look-up by address succeed (§3.3).
    var membersNamedLikeIP = 0
    var probeIndex = 0

    // Protocol state.
    var random: SeededRandom
    var awareness: Awareness
    var sequenceNumber: UInt32 = 0
    var incarnation: UInt32 = 0
    var hasLeft = false
    var started = false
    var localMeta: [UInt8]?
    var broadcasts = BroadcastQueue()
    var userBroadcasts = BroadcastQueue()
    var probe: ProbeState?
    /// Go's ticker channel buffers one tick while a probe blocks.
    var probeTickPending = false
    var indirectForwards: [UInt32: IndirectForward] = [:]
    var pendingPushPulls: [UInt64: PushPullPurpose] = [:]
    var nextPushPullID: UInt64 = 0
    var joins: [OperationID: JoinProgress] = [:]
    var waitingOperations: [OperationID: WaitingOperation] = [:]
    var nextOperationID: UInt64 = 0
    var suspicionGeneration: UInt64 = 0
    var nextProbeTick: MonotonicInstant?
    var nextGossipTick: MonotonicInstant?
    var nextPushPullTick: MonotonicInstant?

    // Durations in nanoseconds, converted once.
    let probeIntervalNanos: Int64
    let probeTimeoutNanos: Int64
    let gossipIntervalNanos: Int64
    let pushPullIntervalNanos: Int64
    let gossipToTheDeadNanos: Int64
    let deadNodeReclaimNanos: Int64

    // Per-call context and reusable scratch space.
    var now = MonotonicInstant.zero
    var out: [MembershipEffect] = []
    var scratchMessages: [Message] = []
    var scratchIndices: [Int] = []

    /// Creates a core for `config.name` reachable at `advertise`, with initial
    /// node metadata `meta` (at most 512 bytes). Call `start(at:into:)` next.
    public init(config: MembershipConfig, advertise: NodeAddress, meta: [UInt8]? = nil,
                random: SeededRandom, delegate: (any MembershipDelegate)? = nil) throws(MembershipError) {
        guard !config.name.isEmpty else { throw .emptyName }
        if let meta, meta.count > Self.metaMaxSize { throw .metaTooLarge(size: meta.count, limit: Self.metaMaxSize) }
        self.config = config
        self.localAddress = advertise
        // With zone-aware routing and no meta of its own, the node's meta is its zone and
        // role, as dskit's delegate returns it (dskit-kv-ring.md §3.7).
        self.localMeta = meta ?? config.zoneRouting?.encodedMeta
        self.random = random
        self.delegate = delegate
        awareness = Awareness(maxMultiplier: config.awarenessMaxMultiplier)
        probeIntervalNanos = config.probeInterval.nanosecondsClamped
        probeTimeoutNanos = config.probeTimeout.nanosecondsClamped
        gossipIntervalNanos = config.gossipInterval.nanosecondsClamped
        pushPullIntervalNanos = config.pushPullInterval.nanosecondsClamped
        gossipToTheDeadNanos = config.gossipToTheDeadTime.nanosecondsClamped
        deadNodeReclaimNanos = config.deadNodeReclaimTime.nanosecondsClamped
    }

    /// memberlist MetaMaxSize (§8).
    public static let metaMaxSize = 512

    // MARK: Queries

    /// This node's name.
    public var name: String { config.name }

    /// Every known node, including this one and unreaped dead/left nodes, in probe order.
    public var allMembers: [Member] { members.map(\.member) }

    /// The node called `name`, if known.
    public func member(named name: String) -> Member? {
        indexByName[name].map { members[$0].member }
    }

    /// Known nodes including self and unreaped dead ones (memberlist `estNumNodes`).
    public var memberCount: Int { members.count }

    /// Nodes not dead or left, self included (memberlist `NumMembers`).
    public var aliveCount: Int { members.reduce(0) { $0 + ($1.isDeadOrLeft ? 0 : 1) } }

    /// Lifeguard health score; 0 is healthy (memberlist `GetHealthScore`).
    public var healthScore: Int { awareness.score }

    /// This node's current incarnation number.
    public var localIncarnation: UInt32 { indexByName[config.name].map { members[$0].incarnation } ?? 0 }

    /// Broadcasts waiting in memberlist's own queue and in the user queue.
    public var queuedBroadcasts: (membership: Int, user: Int) { (broadcasts.count, userBroadcasts.count) }
    /// Bytes of the user broadcasts queued now.
    public var queuedUserBroadcastBytes: Int { userBroadcasts.queuedBytes }
    /// User broadcasts dropped to keep the queue within its bounds.
    public private(set) var userBroadcastsDropped = 0

    /// The retransmit limit for the current node count (§7.2).
    public var retransmitLimit: Int {
        MembershipTiming.retransmitLimit(retransmitMult: config.retransmitMult, nodeCount: members.count)
    }

    /// The state this node would send in a push/pull now (§4.2).
    public func localState(join: Bool) -> PushPullState {
        PushPullState(join: join, nodes: members.map(\.member.pushNodeState),
                      userState: delegate?.localState(join: join) ?? [])
    }

    // MARK: Entry points

    /// Begin: announce ourselves alive with incarnation 1 and arm the probe,
    /// gossip and push/pull tickers, each with a random initial stagger (§7.1, §9).
    public func start(at now: MonotonicInstant, into effects: inout [MembershipEffect]) {
        beginCall(now, &effects); defer { endCall(&effects) }
        guard !started else { return }
        started = true
        let alive = Alive(incarnation: nextIncarnation(), node: config.name, addr: localAddress.ip,
                          port: localAddress.port, meta: localMeta, vsn: config.versions.bytes)
        aliveNode(alive, notify: nil, bootstrap: true)
        if probeIntervalNanos > 0 {
            let at = now.advanced(byNanoseconds: stagger(probeIntervalNanos))
            nextProbeTick = at
            out.append(.armTimer(.probeTick, at: at))
        }
        if pushPullIntervalNanos > 0 {
            let at = now.advanced(byNanoseconds: stagger(pushPullIntervalNanos))
            nextPushPullTick = at
            out.append(.armTimer(.pushPullTick, at: at))
        }
        if gossipIntervalNanos > 0 && config.gossipNodes > 0 {
            let at = now.advanced(byNanoseconds: stagger(gossipIntervalNanos))
            nextGossipTick = at
            out.append(.armTimer(.gossipTick, at: at))
        }
    }

    /// A decoded packet message (compound parts are delivered one by one) from `from`.
    public func receive(_ message: Message, from: NodeAddress, at now: MonotonicInstant,
                        into effects: inout [MembershipEffect]) {
        beginCall(now, &effects); defer { endCall(&effects) }
        guard started else { return }
        switch message {
        case .ping(let ping): handlePing(ping, from: from)
        case .indirectPing(let request): handleIndirectPing(request, from: from)
        case .ack(let ack): handleAck(ack)
        case .nack(let nack): handleNack(nack)
        case .suspect(let suspect): suspectNode(suspect)
        case .alive(var alive):
            if config.protocolVersion < 2 || alive.port == 0 { alive.port = config.bindPort }
            aliveNode(alive, notify: nil, bootstrap: false)
        case .dead(let dead): deadNode(dead)
        case .user(let bytes): delegate?.notifyUserMessage(bytes)
        case .pushPull, .error: break // stream-only; never valid in a packet (§1)
        }
    }

    /// A timer armed by an earlier `armTimer` effect fired. Stale, early and
    /// duplicate firings are ignored.
    public func timerFired(_ timer: MembershipTimer, at now: MonotonicInstant,
                           into effects: inout [MembershipEffect]) {
        beginCall(now, &effects); defer { endCall(&effects) }
        guard started else { return }
        switch timer {
        case .probeTick: probeTick()
        case .gossipTick: gossipTick()
        case .pushPullTick: pushPullTick()
        case .probeTimeout(let seqNo): probeTimedOut(seqNo: seqNo)
        case .probeDeadline(let seqNo): probeDeadlineReached(seqNo: seqNo)
        case .indirectProbeTimeout(let seqNo): indirectProbeTimedOut(seqNo: seqNo)
        case .suspicion(let node, let generation): suspicionExpired(node: node, generation: generation)
        case .operationTimeout(let id): operationTimedOut(id)
        }
    }

    /// Result of a push/pull started with `openPushPull` (§4.2, §7.4).
    public func pushPullFinished(_ id: UInt64, result: Result<PushPullState, PushPullFailure>,
                                 at now: MonotonicInstant, into effects: inout [MembershipEffect]) {
        beginCall(now, &effects); defer { endCall(&effects) }
        finishPushPull(id, result: result)
    }

    /// A peer opened a push/pull stream to us: returns the state to reply
    /// with (same Join flag), then merges the peer's state (§4.2).
    public func answerPushPull(_ remote: PushPullState, from: NodeAddress, at now: MonotonicInstant,
                               into effects: inout [MembershipEffect]) -> PushPullState {
        beginCall(now, &effects); defer { endCall(&effects) }
        let reply = localState(join: remote.join)
        if started { mergeRemote(remote, join: remote.join, peer: from) }
        return reply
    }

    /// A peer sent a ping over a stream (TCP fallback, §4.4): the ack to write
    /// back, or nil to close silently (ping meant for another node).
    public func answerStreamPing(_ ping: Ping) -> AckResponse? {
        guard ping.node.isEmpty || ping.node == config.name else { return nil }
        return AckResponse(seqNo: ping.seqNo, payload: nil)
    }

    /// Result of a TCP fallback ping started with `openStreamPing` (§7.1).
    public func streamPingFinished(seqNo: UInt32, acked: Bool, at now: MonotonicInstant,
                                   into effects: inout [MembershipEffect]) {
        beginCall(now, &effects); defer { endCall(&effects) }
        fallbackFinished(seqNo: seqNo, acked: acked)
    }

    /// Join through the given seeds: one push/pull with Join=true each (§9).
    /// Completion is reported as `joinFinished` with the same id.
    @discardableResult
    public func join(_ targets: [JoinTarget], at now: MonotonicInstant,
                     into effects: inout [MembershipEffect]) -> OperationID {
        beginCall(now, &effects); defer { endCall(&effects) }
        return startJoin(targets)
    }

    /// Leave the cluster: broadcast our own dead message (From = us) and finish
    /// when it was sent retransmit-limit times, or after `timeout` (nil or zero
    /// = wait indefinitely) (§9). Reported as `leaveFinished`.
    @discardableResult
    public func leave(timeout: Duration?, at now: MonotonicInstant,
                      into effects: inout [MembershipEffect]) -> OperationID {
        beginCall(now, &effects); defer { endCall(&effects) }
        return startLeave(timeout: timeout)
    }

    /// Change our metadata: broadcast alive with the next incarnation and
    /// finish like `leave` (memberlist UpdateNode, §9). Reported as `updateFinished`.
    @discardableResult
    public func updateMeta(_ meta: [UInt8]?, timeout: Duration?, at now: MonotonicInstant,
                           into effects: inout [MembershipEffect]) throws(MembershipError) -> OperationID {
        if let meta, meta.count > Self.metaMaxSize { throw .metaTooLarge(size: meta.count, limit: Self.metaMaxSize) }
        guard started else { throw .notStarted }
        beginCall(now, &effects); defer { endCall(&effects) }
        return startUpdate(meta: meta, timeout: timeout)
    }

    /// Queue a user broadcast (raw bytes, sent as `08` + bytes, §3.6). A
    /// broadcast with a key replaces the queued one with the same key; nil is unique.
    /// The queue is bounded by `config.maxQueuedUserBroadcasts` and
    /// `maxQueuedUserBroadcastBytes`: beyond, the broadcasts closest to their
    /// transmit limit are dropped and counted in `userBroadcastsDropped`.
    public func queueUserBroadcast(_ payload: [UInt8], key: String? = nil) {
        userBroadcasts.enqueue(.user(payload), length: payload.count, key: key)
        userBroadcastsDropped += userBroadcasts.prune(maxEntries: config.maxQueuedUserBroadcasts,
                                                      maxBytes: config.maxQueuedUserBroadcastBytes)
    }

    /// With eager dissemination on, sends broadcasts queued outside a call (by
    /// `queueUserBroadcast`) at once; otherwise nothing. Every other call does the same
    /// on its way out.
    public func disseminate(at now: MonotonicInstant, into effects: inout [MembershipEffect]) {
        beginCall(now, &effects)
        endCall(&effects)
    }

    // MARK: Call plumbing

    /// Adopt the caller's buffer as `out` for the duration of one call.
    @inline(__always)
    private func beginCall(_ now: MonotonicInstant, _ effects: inout [MembershipEffect]) {
        self.now = now
        swap(&out, &effects)
    }

    /// Report finished broadcasts, then hand the buffer back.
    @inline(__always)
    private func endCall(_ effects: inout [MembershipEffect]) {
        disseminateFreshBroadcasts()
        drainFinishedBroadcasts()
        swap(&out, &effects)
    }

    /// A uniform integer in [0, bound) (0 when bound ≤ 0).
    func randomIndex(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(random.next(upperBound: UInt64(bound)))
    }

    /// Go's `rand.Int63() % interval` initial ticker stagger.
    func stagger(_ interval: Int64) -> Int64 {
        interval <= 0 ? 0 : Int64(random.next(upperBound: UInt64(interval)))
    }

    func nextSeqNo() -> UInt32 {
        sequenceNumber &+= 1
        return sequenceNumber
    }

    func nextIncarnation() -> UInt32 {
        incarnation &+= 1
        return incarnation
    }
}
