import Testing
import KV

/// Applying values to the store, one test per step of dskit-kv-ring.md 3.4, plus CAS,
/// delete, sweeps, push/pull and gossip reception.
@Suite struct KVStoreApplyTests {
    private let key = "collectors/ring"
    private let codec = RingDescCodec.codecID
    private let now: Int64 = 1_767_225_600_000

    private func ring(_ entries: (String, Int64, InstanceState)...) -> RingDesc {
        var ring = RingDesc()
        for (id, timestamp, state) in entries {
            ring.instances[id] = InstanceDesc(addr: "\(id):1", timestamp: timestamp, state: state, id: id)
        }
        return ring
    }

    private func stored(_ store: KVStore) -> RingDesc? { store.entries[key]?.value as? RingDesc }

    private func apply(_ store: inout KVStore, _ value: RingDesc, deleted: Bool = false, updateTime: Int64 = 0,
                       casVersion: UInt = 0, now: Int64? = nil) throws -> KVApplyResult {
        try store.apply(key: key, incoming: value, codecID: codec, deleted: deleted, updateTimeMillis: updateTime,
                        casVersion: casVersion, nowMillis: now ?? self.now)
    }

    @Test func step1DeletedValueForAnAbsentKeyIsIgnored() throws {
        var store = KVStore()
        let result = try apply(&store, ring(("a", 10, .active)), deleted: true, updateTime: now)
        #expect(result.version == nil)
        #expect(store.entries.isEmpty)
    }

    @Test func step2CASWithAStaleVersionIsAMismatch() throws {
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active)))
        _ = try apply(&store, ring(("a", 11, .active)))
        #expect(store.entries[key]?.version == 2)
        let result = try apply(&store, ring(("a", 12, .active)), casVersion: 1)
        guard case .versionMismatch = result else { Issue.record("expected a mismatch, got \(result)"); return }
        #expect(stored(store)?.instances["a"]?.timestamp == 11)
    }

    @Test func step3FirstValueIsResultAndDeltaLaterOnesMerge() throws {
        var store = KVStore()
        let first = try apply(&store, ring(("a", 10, .active)))
        #expect(first.version == 1)
        #expect((first.delta as? RingDesc) == ring(("a", 10, .active)))
        let second = try apply(&store, ring(("a", 10, .active), ("b", 5, .pending)))
        #expect((second.delta as? RingDesc) == ring(("b", 5, .pending)))
        #expect(stored(store) == ring(("a", 10, .active), ("b", 5, .pending)))
        #expect(store.entries[key]?.version == 2)
    }

    @Test func step4DeletedFlagComesOnlyFromALaterDeletedMessage() throws {
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active)))
        // Deleted with time 0: not taken.
        #expect(try apply(&store, ring(("a", 10, .active)), deleted: true, updateTime: 0).version == nil)
        #expect(store.entries[key]?.deleted == false)
        _ = try apply(&store, ring(("a", 10, .active)), deleted: true, updateTime: now)
        #expect(store.entries[key]?.deleted == true)
        #expect(store.entries[key]?.updateTimeMillis == now)
        // A non-deleted message with a later time never clears the flag.
        _ = try apply(&store, ring(("a", 11, .active)), deleted: false, updateTime: now + 5)
        #expect(store.entries[key]?.deleted == true)
        #expect(store.entries[key]?.updateTimeMillis == now)
        // An earlier deleted time does not move the update time back.
        _ = try apply(&store, ring(("a", 12, .active)), deleted: true, updateTime: now - 5)
        #expect(store.entries[key]?.updateTimeMillis == now)
    }

    @Test func step5NoChangeBumpsNothing() throws {
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active)))
        let result = try apply(&store, ring(("a", 9, .leaving)))
        #expect(result.version == nil)
        #expect(store.entries[key]?.version == 1)
        // An empty incoming ring for an absent key is no change either.
        var empty = KVStore()
        #expect(try apply(&empty, RingDesc()).version == nil)
        #expect(empty.entries.isEmpty)
    }

    @Test func step6OldTombstonesLeaveValueAndDeltaAndAnEmptiedDeltaStops() throws {
        var store = KVStore(config: KVStoreConfig(leftIngestersTimeoutMillis: 60_000))
        _ = try apply(&store, ring(("a", 10, .active), ("old", 1, .left)))
        // The first value kept only fresh content: "old" was dropped from the value.
        #expect(stored(store)?.instances["old"] == nil)
        // A LEFT entry older than the timeout arrives alone: the delta empties, no bump.
        let nowSeconds = now / 1000
        let result = try apply(&store, ring(("gone", nowSeconds - 61, .left)))
        #expect(result.version == nil)
        #expect(store.entries[key]?.version == 1)
        #expect(stored(store)?.instances["gone"] == nil)
        #expect(store.counters.tombstonesRemoved[key] == 2)
        // A fresh tombstone is kept and gossiped.
        let fresh = try apply(&store, ring(("a", nowSeconds - 1, .left)))
        #expect(fresh.version == 2)
        #expect(store.counters.tombstones[key] == 1)
    }

    @Test func step7OnlyTheFlagChangedGossipsTheFullValue() throws {
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active), ("b", 10, .active)))
        let result = try apply(&store, ring(("a", 10, .active)), deleted: true, updateTime: now)
        #expect((result.delta as? RingDesc) == ring(("a", 10, .active), ("b", 10, .active)))
        #expect(result.version == 2)
    }

    @Test func step8VersionGrowsByOnePerEffectiveChange() throws {
        var store = KVStore()
        for timestamp in Int64(1)...5 { _ = try apply(&store, ring(("a", timestamp, .active))) }
        _ = try apply(&store, ring(("a", 3, .active)))
        #expect(store.entries[key]?.version == 5)
    }

    @Test func valuesOfAnotherTypeAreRefused() throws {
        struct Other: MergeableValue {
            mutating func merge(_ incoming: Other, localCAS: Bool, nowMillis: Int64) -> Other? { nil }
            var mergeContent: [String] { ["x"] }
            mutating func removeTombstones(olderThanMillis: Int64?) -> (total: Int, removed: Int) { (0, 0) }
            func withoutTombstones() -> Other { self }
        }
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active)))
        #expect(throws: KVError.valueTypeMismatch) {
            try store.apply(key: key, incoming: Other(), codecID: codec, deleted: false, updateTimeMillis: 0, nowMillis: now)
        }
    }

    @Test func getStripsTombstones() throws {
        var store = KVStore(config: KVStoreConfig(leftIngestersTimeoutMillis: 0))
        _ = try apply(&store, ring(("a", 10, .active), ("b", 10, .left)))
        #expect((store.get(key)?.value as? RingDesc) == ring(("a", 10, .active)))
        #expect(stored(store)?.instances["b"] != nil)
    }

    // CAS.

    @Test func casRemovesMissingInstancesAndQueuesTheDeltaLocally() throws {
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active), ("b", 10, .active)))
        let watcher = store.watchers.watchKey(key)
        let outcome = try store.cas(key: key, codecID: codec, nowMillis: now) { current in
            var desc = current as? RingDesc ?? RingDesc()
            desc.instances["b"] = nil
            return desc
        }
        guard case .changed(let delta, let version) = outcome else { Issue.record("\(outcome)"); return }
        #expect(version == 2)
        #expect((delta as? RingDesc)?.instances["b"]?.state == .left)
        #expect((delta as? RingDesc)?.instances["b"]?.timestamp == now / 1000)
        #expect(store.queues.local.count == 1)
        #expect(store.queues.gossip.count == 0)
        #expect(store.watchers.takeNotifications(watcher) == [key])
        #expect(store.counters.casSuccesses == 1)
    }

    @Test func casConflictIsAVersionMismatchAndTheRetrySucceeds() throws {
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active)))
        let (value, version) = store.casRead(key)
        // Another node's update lands between the read and the write.
        #expect(store.receive(message: gossip(ring(("b", 20, .active)))[...], nowMillis: now) == .changed(version: 2))
        var mine = value as? RingDesc ?? RingDesc()
        mine.instances["a"]?.timestamp = 11
        let first = try store.casCommit(key: key, updated: mine, readVersion: version, codecID: codec, nowMillis: now)
        guard case .versionMismatch = first else { Issue.record("\(first)"); return }
        #expect(store.counters.casFailures == 0) // a mismatch is retried, not a failure
        // Retried from a fresh read: "b" survives, "a" moves on.
        let retry = try store.cas(key: key, codecID: codec, nowMillis: now) { current in
            var desc = current as? RingDesc ?? RingDesc()
            desc.instances["a"]?.timestamp = 11
            return desc
        }
        guard case .changed = retry else { Issue.record("\(retry)"); return }
        #expect(stored(store)?.instances["b"]?.state == .active)
        #expect(stored(store)?.instances["a"]?.timestamp == 11)
    }

    @Test func casInTheSameSecondDetectsNoChangeAndNilMeansNothingToDo() throws {
        var store = KVStore()
        _ = try apply(&store, ring(("a", 10, .active)))
        let same = try store.cas(key: key, codecID: codec, nowMillis: now) { current in
            var desc = current as? RingDesc ?? RingDesc()
            desc.instances["a"]?.addr = "changed-but-same-second"
            return desc
        }
        guard case .noChangeDetected = same else { Issue.record("\(same)"); return }
        let none = try store.cas(key: key, codecID: codec, nowMillis: now) { _ in nil }
        guard case .noChangeRequested = none else { Issue.record("\(none)"); return }
        #expect(store.entries[key]?.version == 1)
        #expect(store.counters.casAttempts == 2)
    }

    // Delete and sweeps.

    @Test func deleteMarksTheKeyAndTheSweepPurgesItAfterTheTimeout() throws {
        var store = KVStore(config: KVStoreConfig(obsoleteEntriesTimeoutMillis: 30_000))
        _ = try apply(&store, ring(("a", 10, .active)))
        let result = try store.delete(key, nowMillis: now)
        #expect(result.version == 2)
        #expect(store.entries[key]?.deleted == true)
        #expect(store.queues.local.count == 1)
        let pair = try KeyValuePair(decoding: try #require(store.queues.local.broadcasts.first).message)
        #expect(pair.deleted && pair.updateTimeMillis == now)
        #expect(store.sweepObsoleteEntries(nowMillis: now + 30_000).isEmpty)
        #expect(store.sweepObsoleteEntries(nowMillis: now + 30_001) == [key])
        #expect(store.entries.isEmpty)
        #expect(try store.delete("absent", nowMillis: now).version == nil)
    }

    // Gossip and push/pull.

    private func gossip(_ value: RingDesc, key: String? = nil, deleted: Bool = false) -> [UInt8] {
        KeyValuePair(key: key ?? self.key, value: RingDescCodec().encodeRing(value), codec: codec, deleted: deleted).encoded()
    }

    @Test func receivedUpdatesAreReGossipedOnlyWhenTheyChangeState() throws {
        var store = KVStore()
        #expect(store.receive(message: gossip(ring(("a", 10, .active)))[...], nowMillis: now) == .changed(version: 1))
        #expect(store.receive(message: gossip(ring(("a", 10, .active)))[...], nowMillis: now) == .unchanged)
        #expect(store.queues.gossip.count == 1)
        #expect(store.queues.local.count == 0)
        // The queued message is the delta re-encoded, not the original bytes.
        let queued = try KeyValuePair(decoding: try #require(store.queues.gossip.broadcasts.first).message)
        #expect(try RingDescCodec().decodeRing(queued.value) == ring(("a", 10, .active)))
    }

    @Test func invalidMessagesAreCountedAndDropped() {
        var store = KVStore()
        #expect(store.receive(message: gossip(ring(("a", 1, .active)), key: "")[...], nowMillis: now) == .invalid(.emptyKey))
        let unknown = KeyValuePair(key: key, value: [], codec: "nope").encoded()
        #expect(store.receive(message: unknown[...], nowMillis: now) == .invalid(.unknownCodec("nope")))
        let garbage = KeyValuePair(key: key, value: [0xFF, 0xFF], codec: codec).encoded()
        guard case .invalid(.undecodable) = store.receive(message: garbage[...], nowMillis: now) else {
            Issue.record("garbage value accepted"); return
        }
        guard case .invalid = store.receive(message: [0x0A, 0x09][...], nowMillis: now) else {
            Issue.record("truncated pair accepted"); return
        }
        #expect(store.counters.receivedBroadcastsInvalid == 4)
        #expect(store.counters.receivedBroadcasts == 4)
        #expect(store.entries.isEmpty)
    }

    @Test func localStateRoundTripsThroughARemoteMerge() throws {
        var source = KVStore()
        _ = try apply(&source, ring(("a", 10, .active), ("b", 11, .leaving)))
        _ = try source.apply(key: "collectors/distributor", incoming: ring(("d", 3, .active)), codecID: codec,
                             deleted: false, updateTimeMillis: 0, nowMillis: now)
        _ = try source.delete("collectors/distributor", nowMillis: now)
        let state = source.localState()
        #expect(source.counters.statePulls == 1 && source.counters.statePullsBytes == state.count)

        var target = KVStore()
        // The target knows the distributor key; a deleted key it never had stays away (step 1).
        _ = try target.apply(key: "collectors/distributor", incoming: ring(("d", 3, .active)), codecID: codec,
                             deleted: false, updateTimeMillis: 0, nowMillis: now)
        let watcher = target.watchers.watchPrefix("collectors/")
        let summary = target.mergeRemoteState(state, nowMillis: now)
        #expect(summary.changedKeys == ["collectors/distributor", key])
        #expect(summary.stoppedAt == nil)
        #expect(stored(target) == stored(source))
        #expect(target.entries["collectors/distributor"]?.deleted == true)
        #expect(target.entries["collectors/distributor"]?.updateTimeMillis == now)
        #expect(target.queues.gossip.count == 2)
        #expect(target.watchers.takeNotifications(watcher) == ["collectors/distributor", key])
        // Merging the same state again changes nothing.
        #expect(target.mergeRemoteState(state, nowMillis: now).changedKeys.isEmpty)

        var fresh = KVStore()
        #expect(fresh.mergeRemoteState(state, nowMillis: now).changedKeys == [key])
        #expect(fresh.entries["collectors/distributor"] == nil)
    }

    @Test func remoteStateSkipsUnknownCodecsAndStopsAtTruncation() throws {
        var bytes: [UInt8] = []
        LocalStateFrame.append(KeyValuePair(key: "x", value: [1], codec: "unknown"), to: &bytes)
        LocalStateFrame.append(KeyValuePair(key: key, value: RingDescCodec().encodeRing(ring(("a", 1, .active))), codec: codec), to: &bytes)
        let cutAt = bytes.count
        LocalStateFrame.append(KeyValuePair(key: "collectors/late", value: RingDescCodec().encodeRing(ring(("z", 1, .active))), codec: codec), to: &bytes)
        var store = KVStore()
        let summary = store.mergeRemoteState(Array(bytes.dropLast(2)), nowMillis: now)
        #expect(summary.skippedPairs == 1)
        #expect(summary.changedKeys == [key])
        #expect(summary.stoppedAt == .truncated(offset: cutAt))
        #expect(store.entries["collectors/late"] == nil)
    }
}
