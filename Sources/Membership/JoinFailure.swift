/// One failed join target.
public struct JoinFailure: Hashable, Sendable {
    public var target: JoinTarget
    public var reason: String

    public init(target: JoinTarget, reason: String) { (self.target, self.reason) = (target, reason) }
}
