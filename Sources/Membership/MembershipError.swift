/// Calls the core refuses, each saying what was wrong.
public enum MembershipError: Error, Hashable, Sendable {
    /// Node metadata longer than MetaMaxSize (512, memberlist-wire.md §8); Go panics here.
    case metaTooLarge(size: Int, limit: Int)
    /// The node name is empty.
    case emptyName
    /// The call needs `start(at:into:)` to have run.
    case notStarted
}
