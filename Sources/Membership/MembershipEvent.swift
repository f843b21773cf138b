/// A membership change reported to the embedding application (memberlist's
/// EventDelegate, plus the suspect transition Lifeguard makes visible).
public enum MembershipEvent: Hashable, Sendable {
    /// The node became alive from dead, left or unknown (NotifyJoin); includes the local node at start.
    case joined(Member)
    /// An alive node changed its metadata (NotifyUpdate).
    case updated(Member)
    /// The node is suspected of having failed (§7.4 suspect rule).
    case suspected(Member)
    /// The node was declared dead by failure detection (NotifyLeave with state dead).
    case failed(Member)
    /// The node left on purpose: dead with From == Node (NotifyLeave with state left).
    case left(Member)
    /// An alive message claimed a known name from another address (§7.4 name
    /// conflict; nothing is sent on the wire). `existing` is what we know, `other` the claim.
    case conflict(existing: Member, other: Member)
}
