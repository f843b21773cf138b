/// The `State` field of a push/pull node entry (memberlist-wire.md §2.4).
public enum NodeStateKind: Int, Sendable, CaseIterable {
    case alive = 0
    case suspect = 1
    case dead = 2
    case left = 3
}
