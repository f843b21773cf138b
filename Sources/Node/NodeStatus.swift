import KV
import Membership

/// What the admin pages (`/memberlist`, `/ring`) and the metrics exporter read: one
/// snapshot taken on the loop by `GossipNode.status()`, a plain value afterwards
/// (dskit-kv-ring.md 6, 7). Times are Unix milliseconds unless named otherwise.
public struct NodeStatus: Sendable {
    /// One KV key as dskit's `/memberlist` page lists it.
    public struct KVKey: Sendable {
        public var key: String
        public var codec: String
        /// Node-local version (+1 per effective change, never gossiped).
        public var version: UInt
        public var deleted: Bool
        /// Unix ms of the last delete-state update; 0 = unknown.
        public var updateTimeMillis: Int64
        /// The value as its codec encodes it (what `downloadKey` serves).
        public var encoded: [UInt8]
        /// Bytes of the encoded value.
        public var valueSize: Int { encoded.count }
        /// The decoded value for the `ringDesc` codec, tombstones included; nil otherwise.
        public var ring: RingDesc?

        public init(key: String, codec: String, version: UInt, deleted: Bool = false, updateTimeMillis: Int64 = 0,
                    encoded: [UInt8], ring: RingDesc? = nil) {
            self.key = key
            self.codec = codec
            self.version = version
            self.deleted = deleted
            self.updateTimeMillis = updateTimeMillis
            self.encoded = encoded
            self.ring = ring
        }
    }

    /// One instance of a ring (a `ringDesc` key), as `/ring` shows it. LEFT tombstones are
    /// not listed (clients never see them).
    public struct RingInstance: Sendable {
        public var id: String
        public var addr: String
        public var state: InstanceState
        public var zone: String
        public var tokens: [UInt32]
        /// Unix seconds of the last heartbeat (`InstanceDesc.timestamp`).
        public var heartbeatTimestamp: Int64
        /// Now minus the last heartbeat, in milliseconds.
        public var heartbeatAgeMillis: Int64
        public var registeredTimestamp: Int64
        public var readOnly: Bool
        /// Heartbeat no older than `-memberlistd.ring.heartbeat-timeout` (dskit-kv-ring.md 5.2).
        public var heartbeatHealthy: Bool
    }

    /// The `memberlist_client_*` figures under dskit's metric names (dskit-kv-ring.md 6).
    public struct KVClientMetrics: Sendable {
        public var receivedBroadcastsTotal = 0
        public var receivedBroadcastsBytesTotal = 0
        public var receivedBroadcastsInvalidTotal = 0
        /// Always 0: received messages are applied on the loop as they arrive, no queue.
        public var receivedBroadcastsDroppedTotal = 0
        public var statePushesTotal = 0
        public var statePushesBytesTotal = 0
        public var statePullsTotal = 0
        public var statePullsBytesTotal = 0
        /// `messages_in_broadcast_queue{queue="local"}` and `{queue="gossip"}`.
        public var messagesInBroadcastQueueLocal = 0
        public var messagesInBroadcastQueueGossip = 0
        public var messagesInBroadcastQueueBytes = 0
        /// Ours: queued KV broadcasts a newer one made redundant (memberlist's invalidation,
        /// dskit-kv-ring.md 3.5); dskit keeps no metric for these.
        public var broadcastsInvalidatedTotal = 0
        public var casAttemptTotal = 0
        public var casSuccessTotal = 0
        public var casFailureTotal = 0
        public var kvStoreCount = 0
        /// `{key}` label values.
        public var kvStoreValueTombstones: [String: Int] = [:]
        public var kvStoreValueTombstonesRemovedTotal: [String: Int] = [:]
        /// `{prefix}` label values.
        public var watchPrefixDroppedNotifications: [String: Int] = [:]
        public var pendingKeyNotifications = 0
        /// `member_consul_heartbeats_total` of this node's own ring instance, and the KV key of
        /// its ring (empty: the node registers no instance).
        public var memberHeartbeatsTotal = 0
        public var memberHeartbeatsRingKey = ""
        /// The propagation delay tracker's histogram and counters; nil when it is off.
        public var propagationTracker: PropagationDelayTracker.Metrics?

        public init() {}
    }

    public var nodeName: String
    public var takenAtMillis: Int64
    /// Every known member, this node included, sorted by name.
    public var members: [Member]
    /// Every key, sorted.
    public var keys: [KVKey]
    /// Ring instances per `ringDesc` key, each list sorted by instance ID.
    public var rings: [String: [RingInstance]]
    /// Whether `-memberlist.message-history-buffer-bytes` keeps a history at all.
    public var historyEnabled: Bool
    public var sentMessages: [KVMessageHistory.Entry]
    public var receivedMessages: [KVMessageHistory.Entry]
    public var kvMetrics: KVClientMetrics
    /// The heartbeat timeout instances are judged by (milliseconds).
    public var heartbeatTimeoutMillis: Int64
}

extension GossipNode {
    /// A snapshot of members, KV keys, rings, history and KV counters; on the loop.
    public func status() -> NodeStatus {
        let now = WallClock.nowMillis()
        let timeout = config.ring.heartbeatTimeout.nanosecondsClamped / 1_000_000
        var keys: [NodeStatus.KVKey] = []
        var rings: [String: [NodeStatus.RingInstance]] = [:]
        for key in kv.keys() {
            guard let entry = kv.entries[key] else { continue }
            let encoded = kv.config.codecs.codec(id: entry.codecID)?.encode(entry.value) ?? []
            let ring = entry.value as? RingDesc
            keys.append(NodeStatus.KVKey(key: key, codec: entry.codecID, version: entry.version, deleted: entry.deleted,
                                         updateTimeMillis: entry.updateTimeMillis, encoded: encoded, ring: ring))
            if let ring {
                rings[key] = ring.instances.keys.sorted().compactMap { id in
                    guard let instance = ring.instances[id], instance.state != .left else { return nil }
                    return NodeStatus.RingInstance(
                        id: id, addr: instance.addr, state: instance.state, zone: instance.zone, tokens: instance.tokens,
                        heartbeatTimestamp: instance.timestamp, heartbeatAgeMillis: now &- instance.timestamp &* 1000,
                        registeredTimestamp: instance.registeredTimestamp, readOnly: instance.readOnly,
                        heartbeatHealthy: instance.isHeartbeatHealthy(timeoutMillis: timeout, nowMillis: now))
                }
            }
        }
        return NodeStatus(nodeName: name, takenAtMillis: now, members: members.sorted { $0.name < $1.name },
                          keys: keys, rings: rings, historyEnabled: kv.history.limitBytes > 0,
                          sentMessages: kv.history.sent, receivedMessages: kv.history.received,
                          kvMetrics: kvClientMetrics(), heartbeatTimeoutMillis: timeout)
    }

    /// The rings of the store: every `ringDesc` key not deleted, sorted, with its value
    /// (tombstones included), and the heartbeat timeout instances are judged by. What the
    /// ring metrics read on every scrape, without the encoding `status()` does.
    public func ringValues() -> (rings: [(key: String, desc: RingDesc)], heartbeatTimeoutMillis: Int64) {
        var rings: [(key: String, desc: RingDesc)] = []
        for (key, entry) in kv.entries where !entry.deleted {
            if let desc = entry.value as? RingDesc { rings.append((key, desc)) }
        }
        rings.sort { $0.key < $1.key }
        return (rings, config.ring.heartbeatTimeout.nanosecondsClamped / 1_000_000)
    }

    /// The KV client's counters and gauges alone: what a `/metrics` scrape reads, without
    /// the encoded values and rings `status()` copies.
    public func kvClientMetrics() -> NodeStatus.KVClientMetrics {
        let counters = kv.counters
        var metrics = NodeStatus.KVClientMetrics()
        metrics.receivedBroadcastsTotal = counters.receivedBroadcasts
        metrics.receivedBroadcastsBytesTotal = counters.receivedBroadcastsBytes
        metrics.receivedBroadcastsInvalidTotal = counters.receivedBroadcastsInvalid
        metrics.statePushesTotal = counters.statePushes
        metrics.statePushesBytesTotal = counters.statePushesBytes
        metrics.statePullsTotal = counters.statePulls
        metrics.statePullsBytesTotal = counters.statePullsBytes
        metrics.messagesInBroadcastQueueLocal = kv.queues.local.count
        metrics.messagesInBroadcastQueueGossip = kv.queues.gossip.count
        metrics.messagesInBroadcastQueueBytes = kv.queues.local.byteCount + kv.queues.gossip.byteCount
        metrics.broadcastsInvalidatedTotal = kv.queues.local.invalidated + kv.queues.gossip.invalidated
        metrics.casAttemptTotal = counters.casAttempts
        metrics.casSuccessTotal = counters.casSuccesses
        metrics.casFailureTotal = counters.casFailures
        metrics.kvStoreCount = kv.entries.count
        metrics.kvStoreValueTombstones = counters.tombstones
        metrics.kvStoreValueTombstonesRemovedTotal = counters.tombstonesRemoved
        metrics.watchPrefixDroppedNotifications = kv.watchers.droppedByPrefix
        metrics.pendingKeyNotifications = kv.watchers.pendingNotifications
        metrics.memberHeartbeatsTotal = ringRegistration?.heartbeats ?? 0
        metrics.memberHeartbeatsRingKey = ringRegistration?.key ?? ""
        metrics.propagationTracker = propagationTracker?.metrics
        return metrics
    }
}
