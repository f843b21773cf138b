import KV
import Membership
import Wire

/// N membership cores on the simulator, with the bookkeeping the simulation
/// tests need: who declared whom dead and when, who received which user
/// broadcast, and whether the views agree.
///
/// Every node but the first joins through node 0 when it boots (memberlist
/// Join, memberlist-wire.md §9), restarts included, as a daemon configured
/// with one seed would.
public final class MembershipCluster {
    public let simulator: Simulator<MembershipNode>
    public let config: MembershipConfig
    /// The slot every other node joins through.
    public let seedNode = NodeID(0)

    /// Every failed/left event, in order.
    public private(set) var deathDeclarations: [DeathDeclaration] = []
    /// How many suspected events were reported in total.
    public private(set) var suspicionCount = 0
    /// How many joined events were reported in total.
    public private(set) var joinedCount = 0
    private var trackers: [Tracker] = []

    private struct Tracker {
        var timeline: PropagationTimeline
        /// The news's origin: a gossiped message may come back to it, which is not delivery.
        var origin: NodeID?
        var matches: (MembershipObservation) -> Bool
    }

    /// A handle to a propagation being tracked.
    public struct TrackerID: Hashable, Sendable {
        public var rawValue: Int
    }

    /// - Parameters:
    ///   - seed: the run's seed (print it on failure).
    ///   - config: settings for every node; name and addresses are filled per slot.
    ///   - conditions: default link conditions.
    ///   - recordsEvents: also keep the full observation log in the simulator.
    ///   - rebroadcastsUserMessages: nodes re-queue user messages new to them
    ///     (Serf/dskit behaviour); false is bare memberlist.
    ///   - configure: adjusts one node's settings (zones, roles) before its core is built.
    ///   - kv: every node runs dskit's KV store with these settings (a restarted node starts
    ///     with an empty store, as a restarted process does); nil = none.
    public init(seed: UInt64, config: MembershipConfig = .lan, conditions: LinkConditions = .lan,
                recordsEvents: Bool = false, rebroadcastsUserMessages: Bool = true,
                configure: ((NodeID, inout MembershipConfig) -> Void)? = nil, kv: KVStoreConfig? = nil) {
        self.config = config
        let seedAddress = SimulatedAddressing.address(of: NodeID(0))
        let seedTarget = JoinTarget(address: seedAddress, name: SimulatedAddressing.name(of: NodeID(0)))
        simulator = Simulator(seed: seed, conditions: conditions, recordsEvents: recordsEvents) { context in
            var config = config
            configure?(context.id, &config)
            return try MembershipNode(context: context, config: config,
                               joinTargets: context.id.index == 0 ? [] : [seedTarget],
                               rebroadcastsUserMessages: rebroadcastsUserMessages, kv: kv)
        }
        simulator.onEvent = { [weak self] time, node, observation in
            self?.observe(observation, on: node, at: time)
        }
    }

    public var seed: UInt64 { simulator.seed }
    public var now: VirtualInstant { simulator.now }
    public var nodeIDs: [NodeID] { simulator.nodeIDs }

    /// Boots `count` nodes, `spacing` apart in virtual time (0: all at once).
    @discardableResult
    public func addNodes(_ count: Int, spacing: VirtualDuration = .zero) throws -> [NodeID] {
        var added: [NodeID] = []
        for index in 0..<count {
            if index > 0 && spacing > .zero { simulator.run(for: spacing) }
            added.append(try simulator.addNode())
        }
        return added
    }

    public func core(_ id: NodeID) -> MembershipCore? {
        simulator.node(id)?.core
    }

    public func name(of id: NodeID) -> String {
        SimulatedAddressing.name(of: id)
    }

    /// Member name → state as `id` sees it, itself included.
    public func view(of id: NodeID) -> [String: NodeStateKind] {
        guard let core = core(id) else { return [:] }
        var view: [String: NodeStateKind] = [:]
        for member in core.allMembers { view[member.name] = member.state }
        return view
    }

    /// True when every running node in `nodes` knows exactly `nodes.count`
    /// members and all of them alive: one view, nobody suspect or dead.
    /// Cheap enough to poll for 1,000 nodes (counts, no copies).
    public func allAliveAndAgreed(_ nodes: [NodeID]) -> Bool {
        for id in nodes where simulator.isRunning(id) {
            guard let core = core(id), core.memberCount == nodes.count, core.aliveCount == nodes.count else {
                return false
            }
        }
        return true
    }

    /// True when every running node in `observers` sees `subject` as dead or left.
    public func allSee(_ subject: NodeID, as states: Set<NodeStateKind>, from observers: [NodeID]) -> Bool {
        let subjectName = name(of: subject)
        for id in observers where simulator.isRunning(id) && id != subject {
            guard let state = core(id)?.member(named: subjectName)?.state, states.contains(state) else { return false }
        }
        return true
    }

    /// True when no running node has anything left in its broadcast queues.
    public func broadcastQueuesEmpty() -> Bool {
        for id in nodeIDs where simulator.isRunning(id) {
            guard let queued = core(id)?.queuedBroadcasts, queued.membership == 0, queued.user == 0 else {
                return false
            }
        }
        return true
    }

    /// Runs until every node agrees that all of `nodes` are alive, or `timeout` passes.
    public func runUntilConverged(_ nodes: [NodeID], within timeout: VirtualDuration,
                                  checkingEvery interval: VirtualDuration = .milliseconds(100)) -> Bool {
        simulator.run(until: now + timeout, checkingEvery: interval) { self.allAliveAndAgreed(nodes) }
    }

    // MARK: Faults

    public func crash(_ id: NodeID) throws {
        try simulator.inject(.crash(id))
    }

    public func restart(_ id: NodeID) throws {
        try simulator.inject(.restart(id))
    }

    /// Joins `id` through the seed node again (memberlist Join, §9), as
    /// dskit's periodic rejoin and Serf's reconnect do: memberlist alone never
    /// contacts a node it has reaped, so a partition outlasting
    /// GossipToTheDeadTime stays split without this.
    public func rejoin(_ id: NodeID) {
        let target = JoinTarget(address: SimulatedAddressing.address(of: seedNode), name: name(of: seedNode))
        simulator.call(id) { node, now, effects in
            node.perform(at: now, effects: &effects) { core, at, out in core.join([target], at: at, into: &out) }
        }
    }

    // MARK: KV store

    public func kvStore(_ id: NodeID) -> KVStore? {
        simulator.node(id)?.kvStore
    }

    /// dskit's `CAS` on `id`'s store with its retry rule (`KVCASOutcome.nextStep`): a version
    /// mismatch retries at once, a write that merged to nothing retries after 1 s of virtual
    /// time, during which the whole cluster runs on. Returns the last outcome and the attempts
    /// made, or nil when `id` runs no store or is down.
    @discardableResult
    public func kvCAS(on id: NodeID, key: String, codecID: String,
                      update: @escaping ((any MergeableValue)?) -> (any MergeableValue)?) throws(KVError) -> (outcome: KVCASOutcome, attempts: Int)? {
        var attempt = 1
        while true {
            let result = simulator.call(id) { node, now, effects -> Result<KVCASOutcome?, KVError> in
                do throws(KVError) {
                    return .success(try node.kvCAS(key: key, codecID: codecID, at: now, effects: &effects, update: update))
                } catch {
                    return .failure(error)
                }
            }
            guard let result, let outcome = try result.get() else { return nil }
            switch outcome.nextStep(afterAttempt: attempt) {
            case .done:
                return (outcome, attempt)
            case .giveUp:
                simulator.call(id) { node, _, _ in node.kvCASGaveUp() }
                return (outcome, attempt)
            case .retryNow:
                break
            case .retryAfter(let millis):
                simulator.run(for: .milliseconds(UInt64(max(millis, 0))))
            }
            attempt += 1
        }
    }

    /// dskit's `Delete` on `id`'s store; false when the key has no value there.
    @discardableResult
    public func kvDelete(on id: NodeID, key: String) throws(KVError) -> Bool {
        let result = simulator.call(id) { node, now, effects -> Result<Bool, KVError> in
            do throws(KVError) {
                return .success(try node.kvDelete(key, at: now, effects: &effects))
            } catch {
                return .failure(error)
            }
        }
        return try result?.get() ?? false
    }

    /// True when every running node in `nodes` holds the same KV state: the same keys with
    /// the same encoded values (tombstones included), deleted flags and update times.
    public func kvStatesAgree(_ nodes: [NodeID]) -> Bool {
        var first: [KeyValuePair]?
        for id in nodes where simulator.isRunning(id) {
            guard let pairs = kvStore(id)?.fullStatePairs() else { return false }
            if let first, first != pairs { return false }
            first = first ?? pairs
        }
        return true
    }

    // MARK: Broadcasts and propagation

    /// Queues a user broadcast on `origin` (delivered by gossip, §7.2) and
    /// tracks when each other running node receives it.
    @discardableResult
    public func broadcast(_ payload: [UInt8], from origin: NodeID) -> TrackerID {
        simulator.call(origin) { node, now, effects in node.broadcast(payload, at: now, effects: &effects) }
        let others = nodeIDs.filter { $0 != origin && simulator.isRunning($0) }.count
        return track(population: others, excluding: origin) { observation in
            if case let .userMessage(bytes) = observation { return bytes == payload }
            return false
        }
    }

    /// Changes `origin`'s metadata (memberlist UpdateNode: alive with the next
    /// incarnation, §9) and tracks when each other running node reports the
    /// update. Returns nil if the core refuses the call.
    public func updateMeta(_ meta: [UInt8], on origin: NodeID) -> TrackerID? {
        let accepted = simulator.call(origin) { node, now, effects -> Bool in
            var accepted = false
            node.perform(at: now, effects: &effects) { core, at, out in
                accepted = (try? core.updateMeta(meta, timeout: nil, at: at, into: &out)) != nil
            }
            return accepted
        }
        guard accepted == true else { return nil }
        let originName = name(of: origin)
        let others = nodeIDs.filter { $0 != origin && simulator.isRunning($0) }.count
        return track(population: others, excluding: origin) { observation in
            if case let .member(.updated(member)) = observation {
                return member.name == originName && member.meta == meta
            }
            return false
        }
    }

    /// Tracks the first observation matching `matches` on each node but
    /// `origin`, from now.
    public func track(population: Int, excluding origin: NodeID? = nil,
                      matching matches: @escaping (MembershipObservation) -> Bool) -> TrackerID {
        trackers.append(Tracker(timeline: PropagationTimeline(origin: now, population: population), origin: origin,
                                matches: matches))
        return TrackerID(rawValue: trackers.count - 1)
    }

    public func timeline(_ id: TrackerID) -> PropagationTimeline? {
        trackers.indices.contains(id.rawValue) ? trackers[id.rawValue].timeline : nil
    }

    // MARK: Observation

    private func observe(_ observation: MembershipObservation, on node: NodeID, at time: VirtualInstant) {
        switch observation {
        case let .member(.failed(member)):
            deathDeclarations.append(DeathDeclaration(time: time, observer: node, subject: member.name, left: false))
        case let .member(.left(member)):
            deathDeclarations.append(DeathDeclaration(time: time, observer: node, subject: member.name, left: true))
        case .member(.suspected):
            suspicionCount += 1
        case .member(.joined):
            joinedCount += 1
        default:
            break
        }
        for index in trackers.indices where !trackers[index].timeline.isComplete && trackers[index].origin != node {
            if trackers[index].matches(observation) {
                trackers[index].timeline.record(node, at: time)
            }
        }
    }
}
