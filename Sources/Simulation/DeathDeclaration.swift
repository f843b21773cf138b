/// One node concluding that another is gone: a `failed` (declared dead by
/// failure detection) or `left` member event, with when and where it happened.
public struct DeathDeclaration: Hashable, Sendable {
    public var time: VirtualInstant
    /// The node whose view changed.
    public var observer: NodeID
    /// The member it declared gone.
    public var subject: String
    /// True for a graceful leave, false for failure detection.
    public var left: Bool
}
