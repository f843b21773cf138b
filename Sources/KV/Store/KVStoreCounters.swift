/// Counts the KV store keeps for dskit's `memberlist_client_*` metrics (dskit-kv-ring.md 6);
/// exporting them is the node's job.
public struct KVStoreCounters: Equatable, Sendable {
    public var receivedBroadcasts = 0
    public var receivedBroadcastsBytes = 0
    public var receivedBroadcastsInvalid = 0
    /// `state_pushes_*`: remote state merged (MergeRemoteState).
    public var statePushes = 0
    public var statePushesBytes = 0
    /// `state_pulls_*`: local state handed out (LocalState).
    public var statePulls = 0
    public var statePullsBytes = 0
    /// `cas_attempt_total`: every CAS attempt, retries included.
    public var casAttempts = 0
    public var casSuccesses = 0
    /// `cas_failure_total`: CAS operations the caller gave up on (`KVStore.casGaveUp`).
    public var casFailures = 0
    /// `kv_store_value_tombstones{key}`: LEFT entries still held, as of the last sweep of that key.
    public var tombstones: [String: Int] = [:]
    /// `kv_store_value_tombstones_removed_total{key}`.
    public var tombstonesRemoved: [String: Int] = [:]

    public init() {}
}
