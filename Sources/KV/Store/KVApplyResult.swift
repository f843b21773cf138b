/// The outcome of applying a value to one key (dskit `mergeValueForKey`, dskit-kv-ring.md 3.4).
public enum KVApplyResult: Sendable {
    /// Nothing changed: no version bump, nothing to gossip.
    case unchanged
    /// A CAS read an older version than the store now holds; the caller reads again and retries.
    case versionMismatch
    /// The key changed: `delta` is what to gossip, `version` the new node-local version.
    case changed(delta: any MergeableValue, version: UInt, deleted: Bool, updateTimeMillis: Int64)

    public var delta: (any MergeableValue)? {
        if case .changed(let delta, _, _, _) = self { return delta }
        return nil
    }

    public var version: UInt? {
        if case .changed(_, let version, _, _) = self { return version }
        return nil
    }
}
