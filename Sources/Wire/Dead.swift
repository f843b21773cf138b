/// `dead` (type 5), memberlist-wire.md §2.4 and §7.4. `from == node` means the node left.
public struct Dead: Hashable, Sendable {
    public var incarnation: UInt32
    public var node: String
    public var from: String

    public init(incarnation: UInt32, node: String, from: String) {
        self.incarnation = incarnation
        self.node = node
        self.from = from
    }
}
