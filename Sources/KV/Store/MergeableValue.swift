/// A KV value that merges as a CRDT (dskit's `memberlist.Mergeable`, dskit-kv-ring.md 3.4).
/// Values are Swift value types, so "in place" means `mutating`.
public protocol MergeableValue: Sendable {
    /// Merges `incoming` into `self` and returns the change to gossip (only what was updated,
    /// in its final state), or nil when nothing changed. `localCAS` tells the merge that
    /// `incoming` is the complete state written by a local CAS, so entries missing from it
    /// were removed. `nowMillis` is Unix milliseconds.
    mutating func merge(_ incoming: Self, localCAS: Bool, nowMillis: Int64) -> Self?

    /// What the value covers, for broadcast invalidation (for rings: instance IDs).
    var mergeContent: [String] { get }

    /// Drops tombstones older than `limitMillis` (all when nil) and returns how many remain
    /// and how many were removed.
    mutating func removeTombstones(olderThanMillis limitMillis: Int64?) -> (total: Int, removed: Int)

    /// The value as clients see it: every tombstone stripped (`Get` in dskit).
    func withoutTombstones() -> Self
}

extension MergeableValue {
    /// Type-erased merge: nil change when `incoming` is not the same kind of value.
    mutating func mergeAny(_ incoming: any MergeableValue, localCAS: Bool, nowMillis: Int64) throws(KVError) -> (any MergeableValue)? {
        guard let typed = incoming as? Self else { throw .valueTypeMismatch }
        return merge(typed, localCAS: localCAS, nowMillis: nowMillis)
    }
}
