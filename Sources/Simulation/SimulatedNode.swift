/// What the simulator drives: one sans-IO core behind a uniform surface
/// (ARCHITECTURE.md, "The pure cores are sans-IO"). Every call receives the
/// current virtual instant and appends what the core wants done to `effects`;
/// the simulator performs them on the virtual network and clock.
///
/// Keeping the engine generic over this protocol lets its machinery (clock,
/// loss, partitions, crashes, streams) be tested with tiny toy nodes, and the
/// membership core plugs in through one adapter (`MembershipNode`).
public protocol SimulatedNode {
    /// A datagram as it travels on the virtual network.
    associatedtype Packet
    /// Identifies an armed timer to its owner; stale firings are the node's business.
    associatedtype Timer
    /// The first half of a stream exchange (e.g. a push/pull or stream ping).
    associatedtype StreamRequest
    /// The remote side's answer on the same stream.
    associatedtype StreamReply
    /// Something worth observing (member joined, user message received, ...).
    associatedtype Event

    /// Called once when the node boots (at creation or restart).
    mutating func start(at now: VirtualInstant, effects: inout [SimulatedEffect<Self>])

    /// A datagram arrived from `sender`.
    mutating func receive(_ packet: Packet, from sender: NodeID, at now: VirtualInstant,
                          effects: inout [SimulatedEffect<Self>])

    /// A timer this node armed is due.
    mutating func fire(_ timer: Timer, at now: VirtualInstant, effects: inout [SimulatedEffect<Self>])

    /// A stream from `sender` carries `request`; the reply goes back on it, or
    /// nil closes it with no answer (an error on the remote side).
    mutating func serve(_ request: StreamRequest, from sender: NodeID, at now: VirtualInstant,
                        effects: inout [SimulatedEffect<Self>]) -> StreamReply?

    /// A stream this node opened finished, with the reply or how it failed.
    mutating func complete(_ request: StreamRequest, to peer: NodeID, result: StreamOutcome<StreamReply>,
                           at now: VirtualInstant, effects: inout [SimulatedEffect<Self>])
}

/// One thing a simulated node asks the world to do.
public enum SimulatedEffect<Node: SimulatedNode> {
    /// Send a datagram (subject to loss, delay and partitions).
    case send(Node.Packet, to: NodeID)
    /// Open a stream, send the request and wait for the reply, giving up after `timeout`.
    case openStream(Node.StreamRequest, to: NodeID, timeout: VirtualDuration)
    /// Call `fire` with this timer at `instant` (at once if in the past).
    case arm(Node.Timer, at: VirtualInstant)
    /// Record an observation.
    case event(Node.Event)
}

/// How a stream exchange ended, as the opener sees it.
public enum StreamOutcome<Reply> {
    case reply(Reply)
    case failed(StreamFailure)
}

/// Why a stream gave no reply.
public enum StreamFailure: Hashable, Sendable {
    /// No answer within the timeout: peer crashed or partitioned away.
    case timedOut
    /// The peer served the stream but returned no reply (a remote error).
    case closedByPeer
    /// The address maps to no simulated node.
    case unknownPeer
}
