/// `suspect` (type 3), memberlist-wire.md §2.4 and §7.4.
public struct Suspect: Hashable, Sendable {
    public var incarnation: UInt32
    public var node: String
    public var from: String

    public init(incarnation: UInt32, node: String, from: String) {
        self.incarnation = incarnation
        self.node = node
        self.from = from
    }
}
