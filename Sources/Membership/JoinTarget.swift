/// A join seed after name resolution: an address and optionally the node name
/// (`name/host:port` form of §9).
public struct JoinTarget: Hashable, Sendable {
    public var address: NodeAddress
    public var name: String

    public init(address: NodeAddress, name: String = "") { (self.address, self.name) = (address, name) }
}
