import Membership
/// A deterministic discrete-event simulator: N sans-IO nodes on a virtual
/// network and a virtual clock (ARCHITECTURE.md testing ladder, step 3).
///
/// One seed determines the run: a master xoshiro256** generator derives the
/// network's generator and every node's generator (in creation order), and
/// events due at the same instant run in scheduling order. Re-running with the
/// same seed and the same calls reproduces every delivery and every decision.
///
/// Not thread-safe and not `Sendable`: one test owns one simulator.
public final class Simulator<Node: SimulatedNode> {
    /// The seed this run was built from; print it when a run fails.
    public let seed: UInt64
    public private(set) var now: VirtualInstant = .zero
    public var network: VirtualNetwork
    public private(set) var counters = SimulationCounters()
    /// Observations in order, when `recordsEvents` is set.
    public private(set) var eventLog: [LoggedEvent] = []
    public var recordsEvents: Bool
    /// Called with every observation as it happens.
    public var onEvent: ((VirtualInstant, NodeID, Node.Event) -> Void)?
    /// Called for every datagram a node sends (before loss and partitions): sender, receiver, packet.
    public var onDatagramSent: ((NodeID, NodeID, Node.Packet) -> Void)?

    /// One observation, stamped with when and where it happened.
    public struct LoggedEvent {
        public var time: VirtualInstant
        public var node: NodeID
        public var event: Node.Event
    }

    /// Everything a node needs to be built in a slot.
    public struct NodeContext: Sendable {
        public var id: NodeID
        /// Seed for the node's own generator, derived from the run's seed.
        public var seed: UInt64
        /// 0 for the first boot, +1 for every restart.
        public var generation: UInt32
    }

    private enum Pending {
        case datagram(Node.Packet, from: NodeID, fromGeneration: UInt32, to: NodeID, toGeneration: UInt32)
        case timer(Node.Timer, node: NodeID, generation: UInt32)
        case streamArrives(Node.StreamRequest, opener: NodeID, openerGeneration: UInt32,
                           peer: NodeID, peerGeneration: UInt32, deadline: VirtualInstant)
        case streamEnds(Node.StreamRequest, opener: NodeID, openerGeneration: UInt32,
                        peer: NodeID, outcome: StreamOutcome<Node.StreamReply>)
        case fault(Fault)
        case heal(PartitionID)
    }

    private var master: SeededRandom
    private let makeNode: (NodeContext) throws -> Node
    private var nodes: [Node] = []
    private var running: [Bool] = []
    private var generations: [UInt32] = []
    private var boots: [UInt32] = []
    private var queue = EventQueue<Pending>()
    private var spareBuffers: [[SimulatedEffect<Node>]] = []

    /// - Parameters:
    ///   - seed: the run's only source of randomness.
    ///   - conditions: default link conditions.
    ///   - recordsEvents: keep every observation in `eventLog`.
    ///   - makeNode: builds the core for a slot (called again on restart).
    public init(seed: UInt64, conditions: LinkConditions = .lan, recordsEvents: Bool = true,
                makeNode: @escaping (NodeContext) throws -> Node) {
        self.seed = seed
        var master = SeededRandom(seed: seed)
        network = VirtualNetwork(conditions: conditions, seed: master.next())
        self.master = master
        self.recordsEvents = recordsEvents
        self.makeNode = makeNode
    }

    // MARK: Nodes

    public var nodeCount: Int { nodes.count }
    public var nodeIDs: [NodeID] { (0..<nodes.count).map(NodeID.init) }

    /// Boots a new node at the current instant and returns its slot; rethrows
    /// what `makeNode` throws (no slot is taken then).
    @discardableResult
    public func addNode() throws -> NodeID {
        let id = NodeID(nodes.count)
        let context = NodeContext(id: id, seed: master.next(), generation: 0)
        nodes.append(try makeNode(context))
        running.append(true)
        generations.append(0)
        boots.append(0)
        withEffects(of: id) { node, now, effects in node.start(at: now, effects: &effects) }
        return id
    }

    public func isRunning(_ id: NodeID) -> Bool {
        running.indices.contains(id.index) && running[id.index]
    }

    /// The node in a slot (its last state if crashed); nil for an unknown slot.
    public func node(_ id: NodeID) -> Node? {
        nodes.indices.contains(id.index) ? nodes[id.index] : nil
    }

    /// Runs an API call on a running node at the current instant (join, leave,
    /// queue a broadcast ...) and performs the effects it returns. Returns nil
    /// when the node is unknown or crashed.
    @discardableResult
    public func call<Result>(_ id: NodeID,
                             _ body: (inout Node, VirtualInstant, inout [SimulatedEffect<Node>]) -> Result) -> Result? {
        guard isRunning(id) else { return nil }
        return withEffects(of: id, body)
    }

    // MARK: Faults

    /// Applies a fault now; rethrows when a restart cannot build its node.
    public func inject(_ fault: Fault) throws {
        try apply(fault)
    }

    /// Restarts that failed to build a node when their scheduled instant came
    /// (the slot stays crashed).
    public private(set) var bootFailures: [(node: NodeID, error: any Error)] = []

    /// Applies a fault at a later instant (now, if `instant` has passed).
    public func schedule(_ fault: Fault, at instant: VirtualInstant) {
        queue.insert(.fault(fault), at: max(instant, now))
    }

    /// Puts a partition in force now; the id heals it.
    @discardableResult
    public func partition(_ partition: Partition) -> PartitionID {
        network.apply(partition, nodeCount: nodes.count)
    }

    public func heal(_ id: PartitionID) {
        network.heal(id)
    }

    // MARK: Running

    /// Processes the next event; false when nothing is queued.
    @discardableResult
    public func step() -> Bool {
        guard let (time, pending) = queue.popFirst() else { return false }
        now = max(now, time)
        counters.eventsProcessed += 1
        handle(pending)
        return true
    }

    /// Processes every event due up to and including `deadline`, then sets the clock to it.
    public func run(until deadline: VirtualInstant) {
        while let next = queue.nextTime, next <= deadline {
            step()
        }
        now = max(now, deadline)
    }

    public func run(for duration: VirtualDuration) {
        run(until: now + duration)
    }

    /// Runs until `condition` holds (checked every `interval` of virtual time)
    /// or `deadline` passes. Returns whether the condition held.
    public func run(until deadline: VirtualInstant, checkingEvery interval: VirtualDuration,
                    stopWhen condition: () -> Bool) -> Bool {
        if condition() { return true }
        let step = max(interval, VirtualDuration(nanoseconds: 1))
        while now < deadline {
            run(until: min(now + step, deadline))
            if condition() { return true }
        }
        return false
    }

    // MARK: Event handling

    private func handle(_ pending: Pending) {
        switch pending {
        case let .datagram(packet, from, fromGeneration, to, toGeneration):
            guard generations[to.index] == toGeneration, running[to.index],
                  generations[from.index] == fromGeneration else {
                counters.datagramsToCrashedNodes += 1
                return
            }
            counters.datagramsDelivered += 1
            withEffects(of: to) { node, now, effects in
                node.receive(packet, from: from, at: now, effects: &effects)
            }
        case let .timer(timer, id, generation):
            guard generations[id.index] == generation, running[id.index] else {
                counters.timersDiscarded += 1
                return
            }
            counters.timersFired += 1
            withEffects(of: id) { node, now, effects in node.fire(timer, at: now, effects: &effects) }
        case let .streamArrives(request, opener, openerGeneration, peer, peerGeneration, deadline):
            streamArrives(request, opener: opener, openerGeneration: openerGeneration,
                          peer: peer, peerGeneration: peerGeneration, deadline: deadline)
        case let .streamEnds(request, opener, openerGeneration, peer, outcome):
            guard generations[opener.index] == openerGeneration, running[opener.index] else { return }
            switch outcome {
            case .reply: counters.streamsReplied += 1
            case .failed: counters.streamsFailed += 1
            }
            withEffects(of: opener) { node, now, effects in
                node.complete(request, to: peer, result: outcome, at: now, effects: &effects)
            }
        case let .fault(fault):
            do {
                try apply(fault)
            } catch {
                if case let .restart(id) = fault { bootFailures.append((id, error)) }
            }
        case let .heal(id):
            network.heal(id)
        }
    }

    private func streamArrives(_ request: Node.StreamRequest, opener: NodeID, openerGeneration: UInt32,
                               peer: NodeID, peerGeneration: UInt32, deadline: VirtualInstant) {
        let fail = Pending.streamEnds(request, opener: opener, openerGeneration: openerGeneration,
                                      peer: peer, outcome: .failed(.timedOut))
        guard generations[peer.index] == peerGeneration, running[peer.index],
              network.canReach(from: opener, to: peer) else {
            queue.insert(fail, at: deadline)
            return
        }
        let reply = withEffects(of: peer) { node, now, effects in
            node.serve(request, from: opener, at: now, effects: &effects)
        }
        let back = network.streamDelay(on: network.conditions(from: peer, to: opener), handshake: false)
        let arrival = now + back
        guard arrival <= deadline, network.canReach(from: peer, to: opener) else {
            queue.insert(fail, at: deadline)
            return
        }
        let outcome: StreamOutcome<Node.StreamReply> = reply.map { .reply($0) } ?? .failed(.closedByPeer)
        queue.insert(.streamEnds(request, opener: opener, openerGeneration: openerGeneration,
                                 peer: peer, outcome: outcome), at: arrival)
    }

    private func apply(_ fault: Fault) throws {
        switch fault {
        case let .crash(id):
            guard isRunning(id) else { return }
            running[id.index] = false
            generations[id.index] &+= 1
            counters.crashes += 1
        case let .restart(id):
            guard nodes.indices.contains(id.index) else { return }
            if running[id.index] {
                try apply(.crash(id))
            }
            boots[id.index] &+= 1
            generations[id.index] &+= 1
            let context = NodeContext(id: id, seed: master.next(), generation: boots[id.index])
            nodes[id.index] = try makeNode(context)
            running[id.index] = true
            counters.restarts += 1
            withEffects(of: id) { node, now, effects in node.start(at: now, effects: &effects) }
        case let .partition(partition, healAt):
            let id = network.apply(partition, nodeCount: nodes.count)
            if let healAt {
                queue.insert(.heal(id), at: max(healAt, now))
            }
        case .healPartitions:
            network.healAll()
        case let .setConditions(conditions):
            network.defaultConditions = conditions
        }
    }

    // MARK: Effects

    /// Calls into one node with a reused effects buffer, then performs the effects.
    private func withEffects<Result>(of id: NodeID,
                                     _ body: (inout Node, VirtualInstant, inout [SimulatedEffect<Node>]) -> Result) -> Result {
        var effects = spareBuffers.popLast() ?? []
        let result = body(&nodes[id.index], now, &effects)
        for effect in effects {
            perform(effect, from: id)
        }
        effects.removeAll(keepingCapacity: true)
        spareBuffers.append(effects)
        return result
    }

    private func perform(_ effect: SimulatedEffect<Node>, from id: NodeID) {
        switch effect {
        case let .send(packet, to):
            counters.datagramsSent += 1
            onDatagramSent?(id, to, packet)
            guard nodes.indices.contains(to.index) else {
                counters.datagramsLost += 1
                return
            }
            guard network.canReach(from: id, to: to) else {
                counters.datagramsPartitioned += 1
                return
            }
            let conditions = network.conditions(from: id, to: to)
            if network.dropsDatagram(on: conditions) {
                counters.datagramsLost += 1
                return
            }
            let arrival = now + network.delay(on: conditions)
            queue.insert(.datagram(packet, from: id, fromGeneration: generations[id.index],
                                   to: to, toGeneration: generations[to.index]), at: arrival)
        case let .openStream(request, to, timeout):
            counters.streamsOpened += 1
            let deadline = now + timeout
            let generation = generations[id.index]
            guard nodes.indices.contains(to.index) else {
                queue.insert(.streamEnds(request, opener: id, openerGeneration: generation, peer: to,
                                         outcome: .failed(.unknownPeer)), at: now)
                return
            }
            guard network.canReach(from: id, to: to), running[to.index] else {
                queue.insert(.streamEnds(request, opener: id, openerGeneration: generation, peer: to,
                                         outcome: .failed(.timedOut)), at: deadline)
                return
            }
            let arrival = now + network.streamDelay(on: network.conditions(from: id, to: to), handshake: true)
            queue.insert(.streamArrives(request, opener: id, openerGeneration: generation, peer: to,
                                        peerGeneration: generations[to.index], deadline: deadline),
                         at: min(arrival, deadline))
        case let .arm(timer, instant):
            counters.timersArmed += 1
            queue.insert(.timer(timer, node: id, generation: generations[id.index]), at: max(instant, now))
        case let .event(event):
            if recordsEvents {
                eventLog.append(LoggedEvent(time: now, node: id, event: event))
            }
            onEvent?(now, id, event)
        }
    }
}
