/// A whole push/pull body: header, node states and the delegate's raw user state (§4.2).
public struct PushPullState: Hashable, Sendable {
    public var join: Bool
    public var nodes: [PushNodeState]
    public var userState: [UInt8]

    public init(join: Bool, nodes: [PushNodeState], userState: [UInt8] = []) {
        (self.join, self.nodes, self.userState) = (join, nodes, userState)
    }
}
