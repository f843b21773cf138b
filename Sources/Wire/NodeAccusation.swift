/// The body `suspect` (type 3) and `dead` (type 5) share, {From, Incarnation, Node}
/// (memberlist-wire.md §2.4, §7.4): one definition, two distinct Swift types through a
/// phantom `Kind`, so a suspect can never be passed where a dead is meant.
public struct NodeAccusation<Kind: AccusationKind>: Hashable, Sendable {
    public var incarnation: UInt32
    public var node: String
    /// Who accuses; for `dead`, `from == node` means the node left.
    public var from: String

    public init(incarnation: UInt32, node: String, from: String) {
        (self.incarnation, self.node, self.from) = (incarnation, node, from)
    }
}

/// Which accusation a `NodeAccusation` is: its Go struct name.
public protocol AccusationKind: Sendable {
    static var goName: String { get }
}

/// `suspect` (type 3).
public enum SuspectAccusation: AccusationKind {
    public static var goName: String { "suspect" }
}

/// `dead` (type 5).
public enum DeadAccusation: AccusationKind {
    public static var goName: String { "dead" }
}

public typealias Suspect = NodeAccusation<SuspectAccusation>
public typealias Dead = NodeAccusation<DeadAccusation>
