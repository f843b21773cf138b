/// dskit's memberlist KV store as a pure value: per-key values with node-local versions,
/// apply/merge, CAS, delete, sweeps, watchers and the two broadcast queues
/// (dskit-kv-ring.md 3). It does no IO and reads no clock: every operation takes `nowMillis`
/// (Unix milliseconds); the node owns it on its event loop and sends what the queues hold.
public struct KVStore: Sendable {
    public let config: KVStoreConfig
    public private(set) var entries: [String: KVEntry] = [:]
    public var queues: KVBroadcastQueues
    public var watchers: KVWatchers
    public var counters = KVStoreCounters()
    /// Sent and received messages for the `/memberlist` page (dskit-kv-ring.md 3.7).
    public var history: KVMessageHistory

    public init(config: KVStoreConfig = KVStoreConfig()) {
        self.config = config
        self.history = KVMessageHistory(limitBytes: config.messageHistoryBufferBytes)
        self.queues = KVBroadcastQueues(retransmitMult: config.retransmitMult)
        self.watchers = KVWatchers(prefixBufferSize: config.watchPrefixBufferSize)
    }

    /// The value as clients see it: tombstones stripped (dskit `Get`), with its version.
    public func get(_ key: String) -> (value: any MergeableValue, version: UInt)? {
        guard let entry = entries[key] else { return nil }
        return (entry.value.withoutTombstones(), entry.version)
    }

    /// Keys with a value, sorted, optionally under a prefix (dskit `List`).
    public func keys(withPrefix prefix: String = "") -> [String] {
        entries.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Applies `incoming` to `key`, dskit-kv-ring.md 3.4 steps 1–8:
    /// 1. no local value and incoming deleted → unchanged;
    /// 2. `casVersion` > 0 and the local version differs → version mismatch;
    /// 3. no local value → incoming is result and delta; else merge into the local value
    ///    (`localCAS` when `casVersion` > 0);
    /// 4. the deleted flag and time come from incoming only when it is deleted with a non-zero,
    ///    later time; a non-deleted message never clears the flag;
    /// 5. empty delta and unchanged flag → unchanged;
    /// 6. `left_ingesters_timeout` > 0: tombstones older than now − timeout leave the stored
    ///    value and the delta; an emptied delta → unchanged (the stored value keeps the merge);
    /// 7. only the flag changed → the full value is the delta;
    /// 8. version + 1, store, return the delta.
    public mutating func apply(key: String, incoming: any MergeableValue, codecID: String,
                               deleted: Bool, updateTimeMillis: Int64, casVersion: UInt = 0,
                               nowMillis: Int64) throws(KVError) -> KVApplyResult {
        // The entry leaves `entries` while it merges, so the merge mutates the only copy of
        // the value (a stored ring would otherwise be copied on every update); every path
        // below puts it back or replaces it.
        var stored = entries.removeValue(forKey: key)
        if stored == nil && deleted { return .unchanged }
        if casVersion > 0 && (stored?.version ?? 0) != casVersion {
            entries[key] = stored
            return .versionMismatch
        }
        let isNew = stored == nil
        let currentDeleted = stored?.deleted ?? false
        var entry: KVEntry
        var change: (any MergeableValue)?
        if var existing = consume stored {
            do {
                change = try existing.value.mergeAny(incoming, localCAS: casVersion > 0, nowMillis: nowMillis)
            } catch {
                entries[key] = existing
                throw error
            }
            entry = consume existing
        } else {
            entry = KVEntry(value: incoming, version: 0, codecID: codecID, deleted: false, updateTimeMillis: 0)
            change = incoming
        }
        // dskit merges in place: on the unchanged paths whatever the merge did stays, without
        // a version bump (a new key stays absent).
        func keepUnchanged(_ entries: inout [String: KVEntry], _ entry: consuming KVEntry) -> KVApplyResult {
            if !isNew { entries[key] = entry }
            return .unchanged
        }

        var newDeleted = currentDeleted
        var newUpdate = entry.updateTimeMillis
        if deleted && updateTimeMillis != 0 && updateTimeMillis > newUpdate {
            newDeleted = true
            newUpdate = updateTimeMillis
        }

        if (change?.mergeContent.isEmpty ?? true) && newDeleted == currentDeleted {
            return keepUnchanged(&entries, entry)
        }

        if config.leftIngestersTimeoutMillis > 0 {
            let limit = nowMillis &- config.leftIngestersTimeoutMillis
            let (total, removed) = entry.value.removeTombstones(olderThanMillis: limit)
            counters.tombstones[key] = total
            counters.tombstonesRemoved[key, default: 0] += removed
            if var delta = change {
                _ = delta.removeTombstones(olderThanMillis: limit)
                change = delta
                if delta.mergeContent.isEmpty { return keepUnchanged(&entries, entry) }
            }
        }

        if change == nil && newDeleted != currentDeleted { change = entry.value }
        guard let delta = change else { return keepUnchanged(&entries, entry) }

        entry.version += 1
        entry.codecID = codecID
        entry.deleted = newDeleted
        entry.updateTimeMillis = newUpdate
        let version = entry.version
        entries[key] = entry
        return .changed(delta: delta, version: version, deleted: newDeleted, updateTimeMillis: newUpdate)
    }

    /// Removes deleted keys whose last update is more than `obsolete_entries_timeout` old
    /// (dskit's periodic `cleanupObsoleteEntries`). Returns the purged keys.
    @discardableResult
    public mutating func sweepObsoleteEntries(nowMillis: Int64) -> [String] {
        var purged: [String] = []
        for (key, entry) in entries where entry.deleted && nowMillis &- entry.updateTimeMillis > config.obsoleteEntriesTimeoutMillis {
            entries[key] = nil
            purged.append(key)
        }
        return purged.sorted()
    }

    /// Marks `key` deleted at `nowMillis`, bumps its version and queues the full value as a
    /// local broadcast (dskit `Delete`). A key without a value is left alone.
    @discardableResult
    public mutating func delete(_ key: String, nowMillis: Int64) throws(KVError) -> KVApplyResult {
        guard let entry = entries[key] else { return .unchanged }
        let result = try apply(key: key, incoming: entry.value, codecID: entry.codecID, deleted: true,
                               updateTimeMillis: nowMillis, nowMillis: nowMillis)
        publish(key: key, result: result, codecID: entry.codecID, local: true, nowMillis: nowMillis)
        return result
    }

    /// After an effective change: notify watchers and queue the delta, on the local queue for
    /// this node's own writes, on the gossip queue for others' (dskit `broadcastNewValue`).
    /// Records what was sent in the history.
    mutating func publish(key: String, result: KVApplyResult, codecID: String, local: Bool, nowMillis: Int64) {
        guard case .changed(let delta, let version, let deleted, let updateTime) = result else { return }
        watchers.notify(key)
        guard let codec = config.codecs.codec(id: codecID), let value = codec.encode(delta) else { return }
        let pair = KeyValuePair(key: key, value: value, codec: codecID, deleted: deleted, updateTimeMillis: updateTime)
        let broadcast = KVBroadcast(key: key, content: delta.mergeContent, version: version, message: pair.encoded())
        history.recordSent(KVMessageHistory.Entry(timeMillis: nowMillis, size: broadcast.message.count, pair: pair,
                                                  version: version, changes: broadcast.content.sorted()))
        if local {
            queues.local.enqueue(broadcast)
        } else {
            queues.gossip.enqueue(broadcast)
        }
    }
}
