import Membership
import Simulation

/// A toy node for testing the simulator's machinery: it records everything
/// that reaches it as an event and does only what a test tells it through
/// `Simulator.call`. Stream requests are integers; the reply doubles them,
/// negative requests are refused (no reply).
struct ScriptedNode: SimulatedNode {
    typealias Packet = Int
    typealias Timer = Int
    typealias StreamRequest = Int
    typealias StreamReply = Int

    enum Event: Equatable {
        case started(generation: UInt32)
        case received(Int, from: NodeID)
        case fired(Int)
        case served(Int, from: NodeID)
        case completed(Int, StreamResult)
    }

    enum StreamResult: Equatable {
        case reply(Int)
        case failed(StreamFailure)
    }

    let generation: UInt32
    var random: SeededRandom
    var received = 0

    init(context: Simulator<ScriptedNode>.NodeContext) {
        generation = context.generation
        random = SeededRandom(seed: context.seed)
    }

    mutating func start(at now: VirtualInstant, effects: inout [SimulatedEffect<ScriptedNode>]) {
        effects.append(.event(.started(generation: generation)))
    }

    mutating func receive(_ packet: Int, from sender: NodeID, at now: VirtualInstant,
                          effects: inout [SimulatedEffect<ScriptedNode>]) {
        received += 1
        effects.append(.event(.received(packet, from: sender)))
    }

    mutating func fire(_ timer: Int, at now: VirtualInstant, effects: inout [SimulatedEffect<ScriptedNode>]) {
        effects.append(.event(.fired(timer)))
    }

    mutating func serve(_ request: Int, from sender: NodeID, at now: VirtualInstant,
                        effects: inout [SimulatedEffect<ScriptedNode>]) -> Int? {
        effects.append(.event(.served(request, from: sender)))
        return request >= 0 ? request * 2 : nil
    }

    mutating func complete(_ request: Int, to peer: NodeID, result: StreamOutcome<Int>,
                           at now: VirtualInstant, effects: inout [SimulatedEffect<ScriptedNode>]) {
        switch result {
        case let .reply(value): effects.append(.event(.completed(request, .reply(value))))
        case let .failed(failure): effects.append(.event(.completed(request, .failed(failure))))
        }
    }
}

extension Simulator where Node == ScriptedNode {
    convenience init(seed: UInt64, conditions: LinkConditions, nodes: Int) {
        self.init(seed: seed, conditions: conditions) { ScriptedNode(context: $0) }
        for _ in 0..<nodes {
            // ScriptedNode's factory never throws.
            _ = try? addNode()
        }
    }

    func send(_ packet: Int, from: NodeID, to: NodeID) {
        call(from) { _, _, effects in effects.append(.send(packet, to: to)) }
    }

    func arm(_ timer: Int, on node: NodeID, after delay: VirtualDuration) {
        call(node) { _, now, effects in effects.append(.arm(timer, at: now + delay)) }
    }

    func openStream(_ request: Int, from: NodeID, to: NodeID, timeout: VirtualDuration) {
        call(from) { _, _, effects in effects.append(.openStream(request, to: to, timeout: timeout)) }
    }

    /// (time, event) pairs observed on one node, in order.
    func events(of node: NodeID) -> [(VirtualInstant, ScriptedNode.Event)] {
        eventLog.filter { $0.node == node }.map { ($0.time, $0.event) }
    }
}
