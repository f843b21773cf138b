/// A network partition: nodes in different groups cannot exchange datagrams or
/// open streams while it is in force. A node listed in no group is unaffected.
/// Several partitions may be in force at once; a link is cut if any cuts it.
public struct Partition: Hashable, Sendable {
    public var groups: [Set<NodeID>]

    public init(groups: [Set<NodeID>]) {
        self.groups = groups
    }

    /// Splits `nodes` off from everyone else in `all`.
    public static func isolating(_ nodes: Set<NodeID>, from all: some Sequence<NodeID>) -> Partition {
        Partition(groups: [nodes, Set(all).subtracting(nodes)])
    }
}

/// A handle to a partition in force, used to heal it.
public struct PartitionID: Hashable, Sendable {
    public var rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }
}
