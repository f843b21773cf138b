/// `pushPullHeader`, memberlist-wire.md §2.4 and §4.2.
public struct PushPullHeader: Hashable, Sendable {
    public var nodes: Int
    public var userStateLength: Int
    public var join: Bool

    public init(nodes: Int, userStateLength: Int, join: Bool) {
        (self.nodes, self.userStateLength, self.join) = (nodes, userStateLength, join)
    }
}
