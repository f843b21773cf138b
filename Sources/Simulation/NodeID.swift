/// A simulated node's slot in the cluster, 0-based. The slot survives crashes
/// and restarts (the restarted core keeps its name and address).
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var index: Int

    public init(_ index: Int) {
        self.index = index
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.index < rhs.index
    }

    public var description: String { "#\(index)" }
}
