/// What the store keeps per key (dskit `ValueDesc`, dskit-kv-ring.md 3.4).
public struct KVEntry: Sendable {
    /// The decoded value, tombstones included.
    public var value: any MergeableValue
    /// Node-local version: 0 when absent, +1 per effective change; never gossiped.
    public var version: UInt
    public var codecID: String
    public var deleted: Bool
    /// Unix milliseconds of the last delete-state update; 0 = unknown.
    public var updateTimeMillis: Int64
}
