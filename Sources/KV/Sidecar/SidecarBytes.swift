/// One opaque value written through the sidecar API (issue 10), stored under the
/// `sidecar.bytes` codec so it gossips, merges and is pushed/pulled like dskit's keys.
///
/// Merge rule: last writer wins by a Lamport version carried in the value. A write
/// through any sidecar takes `version = stored version + 1`; on merge the larger
/// `(version, writer, updatedMillis, deleted, bytes)` wins. That order is total, so
/// the merge is a max over a total order: commutative, associative and idempotent, and
/// every node that has seen the same writes holds the same value whatever order they
/// arrived in (a CRDT join, dskit-kv-ring.md 3.4). A Lamport version rather than the wall
/// clock alone decides because clocks of pods differ: a write made after reading a value
/// always beats it, whatever the clocks say; the writer name breaks ties between
/// concurrent writes of the same version, the time only orders a node's own rewrites.
///
/// A delete is a tombstone of the next version (`deleted`, no bytes): it gossips and wins
/// like a write, a later PUT (higher version) brings the key back. Tombstones stay stored
/// (a few dozen bytes each): the store's key-level delete flag is never cleared by a
/// later write (dskit's rule), so it cannot serve a key that may be written again.
public struct SidecarBytes: MergeableValue, Equatable {
    public var bytes: [UInt8]
    public var version: UInt64
    /// The node name of the sidecar that wrote it.
    public var writer: String
    /// Unix milliseconds of the write.
    public var updatedMillis: Int64
    public var deleted: Bool

    public init(bytes: [UInt8], version: UInt64, writer: String, updatedMillis: Int64, deleted: Bool = false) {
        self.bytes = bytes
        self.version = version
        self.writer = writer
        self.updatedMillis = updatedMillis
        self.deleted = deleted
    }

    /// True when `self` is later than `other` in the merge order.
    public func supersedes(_ other: SidecarBytes) -> Bool {
        if version != other.version { return version > other.version }
        if writer != other.writer { return writer > other.writer }
        if updatedMillis != other.updatedMillis { return updatedMillis > other.updatedMillis }
        if deleted != other.deleted { return deleted }
        return other.bytes.lexicographicallyPrecedes(bytes)
    }

    public mutating func merge(_ incoming: SidecarBytes, localCAS: Bool, nowMillis: Int64) -> SidecarBytes? {
        guard incoming.supersedes(self) else { return nil }
        self = incoming
        return incoming
    }

    /// One value per key: any change replaces the whole of it.
    public var mergeContent: [String] { ["value"] }

    /// A tombstone is the value itself and is kept (see the type's comment).
    public mutating func removeTombstones(olderThanMillis limitMillis: Int64?) -> (total: Int, removed: Int) {
        (deleted ? 1 : 0, 0)
    }

    public func withoutTombstones() -> SidecarBytes { self }
}
