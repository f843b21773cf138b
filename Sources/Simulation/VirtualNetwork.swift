import Membership
/// The virtual network's decisions: which datagrams are lost, how long each
/// delivery takes, and which links partitions cut. It owns its own generator
/// (derived from the run's seed) so its choices do not depend on what the
/// nodes draw from theirs.
public struct VirtualNetwork {
    /// Conditions of every link without an override.
    public var defaultConditions: LinkConditions
    /// Per-direction overrides, keyed by (from, to).
    public private(set) var overrides: [LinkKey: LinkConditions] = [:]
    /// Per-node overrides for every link touching a node (both directions),
    /// used when no (from, to) override exists.
    public private(set) var nodeOverrides: [NodeID: LinkConditions] = [:]

    /// For each partition in force, the group index of every node (-1: unaffected).
    private var partitions: [(id: PartitionID, labels: [Int32])] = []
    private var nextPartitionID = 0
    private var random: SeededRandom

    /// One direction of a link.
    public struct LinkKey: Hashable, Sendable {
        public var from: NodeID
        public var to: NodeID

        public init(from: NodeID, to: NodeID) { (self.from, self.to) = (from, to) }
    }

    public init(conditions: LinkConditions, seed: UInt64) {
        defaultConditions = conditions
        random = SeededRandom(seed: seed)
    }

    /// Sets the conditions of the link from `from` to `to`; `nil` restores the default.
    public mutating func setConditions(_ conditions: LinkConditions?, from: NodeID, to: NodeID) {
        overrides[LinkKey(from: from, to: to)] = conditions
    }

    /// Sets the conditions of every link touching `node`; `nil` restores the default.
    public mutating func setConditions(_ conditions: LinkConditions?, touching node: NodeID) {
        nodeOverrides[node] = conditions
    }

    public func conditions(from: NodeID, to: NodeID) -> LinkConditions {
        if overrides.isEmpty && nodeOverrides.isEmpty { return defaultConditions }
        if let link = overrides[LinkKey(from: from, to: to)] { return link }
        if let node = nodeOverrides[from] ?? nodeOverrides[to] { return node }
        return defaultConditions
    }

    /// Puts `partition` in force; the id heals it.
    public mutating func apply(_ partition: Partition, nodeCount: Int) -> PartitionID {
        var labels = [Int32](repeating: -1, count: nodeCount)
        for (group, members) in partition.groups.enumerated() {
            for node in members where node.index >= 0 && node.index < nodeCount {
                labels[node.index] = Int32(group)
            }
        }
        let id = PartitionID(rawValue: nextPartitionID)
        nextPartitionID += 1
        partitions.append((id, labels))
        return id
    }

    /// Lifts one partition; unknown ids are ignored.
    public mutating func heal(_ id: PartitionID) {
        partitions.removeAll { $0.id == id }
    }

    /// Lifts every partition.
    public mutating func healAll() {
        partitions.removeAll()
    }

    public var hasPartitions: Bool { !partitions.isEmpty }

    /// False when a partition in force separates the two nodes.
    public func canReach(from: NodeID, to: NodeID) -> Bool {
        for partition in partitions {
            let labels = partition.labels
            guard from.index < labels.count, to.index < labels.count else { continue }
            let a = labels[from.index], b = labels[to.index]
            if a >= 0 && b >= 0 && a != b { return false }
        }
        return true
    }

    /// Draws whether one datagram on the link is lost.
    public mutating func dropsDatagram(on conditions: LinkConditions) -> Bool {
        guard conditions.loss > 0 else { return false }
        return random.nextUnitInterval() < conditions.loss
    }

    /// Draws how long one direction of a stream takes on the link, as Linux's TCP
    /// carries it: the handshake (SYN and SYN-ACK, when `handshake`) and one data
    /// segment are each lost like a datagram and resent after the retransmission
    /// timeout, which starts at 1 s for the handshake and 200 ms for data and doubles
    /// per loss. Streams are therefore late on a lossy link, never lost.
    public mutating func streamDelay(on conditions: LinkConditions, handshake: Bool) -> VirtualDuration {
        var total = delay(on: conditions).nanoseconds
        if handshake {
            total &+= resendWait(on: conditions, segments: 2, firstTimeout: 1_000_000_000)
        }
        total &+= resendWait(on: conditions, segments: 1, firstTimeout: 200_000_000)
        return VirtualDuration(nanoseconds: total)
    }

    private mutating func resendWait(on conditions: LinkConditions, segments: Int, firstTimeout: UInt64) -> UInt64 {
        var wait: UInt64 = 0
        for _ in 0..<segments {
            var timeout = firstTimeout, resends = 0
            // Seven resends is past every deadline a core sets; the segment then arrives.
            while resends < 7 && dropsDatagram(on: conditions) {
                wait &+= timeout
                timeout &*= 2
                resends += 1
            }
        }
        return wait
    }

    /// Draws the one-way delay of one delivery on the link.
    public mutating func delay(on conditions: LinkConditions) -> VirtualDuration {
        guard conditions.jitter.nanoseconds > 0 else { return conditions.latency }
        let extra = random.next(upperBound: conditions.jitter.nanoseconds &+ 1)
        return VirtualDuration(nanoseconds: conditions.latency.nanoseconds &+ extra)
    }
}
