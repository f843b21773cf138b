import Config
import EventLoop
import Glibc
import KV
import Membership
import MonotonicTime
import Wire

/// dskit's memberlist KV run as the core's delegate (dskit-kv-ring.md 3): user messages
/// that are `KeyValuePair`s are merged into the store, push/pull carries the store's
/// `LocalState`, packets piggyback the store's local then gossip queue. The store is pure;
/// this extension gives it the wall clock (`WallClock`), the loop's timers and the CAS retry rule.
extension GossipNode {
    static func kvStoreConfig(_ config: NodeConfig) -> KVStoreConfig {
        KVStoreConfig(leftIngestersTimeoutMillis: config.kvStore.leftIngestersTimeout.nanosecondsClamped / 1_000_000,
                      obsoleteEntriesTimeoutMillis: config.kvStore.obsoleteEntriesTimeout.nanosecondsClamped / 1_000_000,
                      watchPrefixBufferSize: config.kvStore.watchPrefixBufferSize,
                      retransmitMult: config.membership.retransmitMult,
                      messageHistoryBufferBytes: config.kvStore.messageHistoryBufferBytes,
                      // Every node relays and merges the sidecar API's values and dskit's tracker
                      // beacons, sidecar and tracker on or off.
                      codecs: KVCodecRegistry([RingDescCodec(), SidecarBytesCodec(), PropagationTrackerCodec()]))
    }

    // MARK: delegate side (called during core calls)

    /// Applies a user message that is a KV update; false when it is not one (opaque payload).
    func receiveKVMessage(_ payload: [UInt8]) -> Bool {
        switch kv.receive(message: payload[...], nowMillis: WallClock.nowMillis()) {
        case .changed:
            kvChanged = true
            return true
        case .unchanged:
            return true
        case .invalid:
            return false
        }
    }

    /// Our push/pull user state: the store's `LocalState` frames (dskit-kv-ring.md 3.3).
    func kvLocalState() -> [UInt8] {
        kv.localState()
    }

    /// A peer's push/pull user state (`MergeRemoteState`): each pair applied as gossip.
    func kvMergeRemoteState(_ state: [UInt8]) {
        let summary = kv.mergeRemoteState(state, nowMillis: WallClock.nowMillis())
        if !summary.changedKeys.isEmpty { kvChanged = true }
        if let stopped = summary.stoppedAt {
            logger.warn("KV remote state parsed partially", ("reason", "\(stopped)"))
        }
        if summary.skippedPairs > 0 {
            logger.debug("KV remote state pairs skipped", ("count", "\(summary.skippedPairs)"))
        }
    }

    /// memberlist's `GetBroadcasts` for the KV: local updates first, then gossip. Sized by
    /// the live member count, as dskit's queues use memberlist's `NumMembers`.
    func kvBroadcasts(overhead: Int, limit: Int, into messages: inout [Message]) -> Int {
        guard kv.queues.local.count + kv.queues.gossip.count > 0 else { return 0 }
        return kv.queues.take(overhead: overhead, limit: limit, nodeCount: core.aliveCount, into: &messages)
    }

    // MARK: after core calls

    /// Runs after every drain: delivers watcher notifications (at once, or batched by
    /// `notify-interval`) and, with eager dissemination, sends fresh KV broadcasts.
    func flushKV() {
        guard kvChanged, !isShutDown else { return }
        kvChanged = false
        if config.kvStore.notifyInterval == .zero {
            deliverKVNotifications()
        } else if kvNotifyTimer == nil {
            kvNotifyTimer = loop.schedule(after: config.kvStore.notifyInterval) { [weak self] _ in
                self?.kvNotifyTimer = nil
                self?.deliverKVNotifications()
            }
        }
        if config.membership.eagerDissemination { core.disseminate(at: MonotonicInstant.now(), into: &effects) }
    }

    private func deliverKVNotifications() {
        for id in kv.watchers.ids {
            let keys = kv.watchers.takeNotifications(id)
            guard !keys.isEmpty, let handler = kvWatchHandlers[id] else { continue }
            handler(keys)
        }
    }

    /// A change made outside a core call (CAS, delete): act on it now.
    func kvChangedLocally() {
        kvChanged = true
        drain()
    }

    // MARK: timers

    /// Arms the obsolete-entry sweep (every `obsolete-entries-timeout`), registers the ring
    /// instance and starts the propagation delay tracker when configured.
    func startKV() {
        scheduleKVSweep()
        if config.ring.isEnabled { startRingRegistration() }
        if config.kvStore.propagationDelayTracker.enabled { startPropagationTracker() }
    }

    private func scheduleKVSweep() {
        let interval = config.kvStore.obsoleteEntriesTimeout
        guard interval > .zero, !isShutDown else { return }
        kvSweepTimer = loop.schedule(after: interval) { [weak self] _ in
            guard let self else { return }
            self.kv.sweepObsoleteEntries(nowMillis: WallClock.nowMillis())
            self.scheduleKVSweep()
        }
    }

    func stopKVTimers() {
        if let kvNotifyTimer { loop.cancel(kvNotifyTimer) }
        if let kvSweepTimer { loop.cancel(kvSweepTimer) }
        kvNotifyTimer = nil
        kvSweepTimer = nil
        stopRingTimers()
        if let propagationTimer { loop.cancel(propagationTimer) }
        propagationTimer = nil
    }

    // MARK: public API (on the loop)

    /// The value of `key` as clients see it (tombstones stripped) and its node-local version.
    public func kvGet(_ key: String) -> (value: any MergeableValue, version: UInt)? {
        kv.get(key)
    }

    /// Keys with a value under `prefix`, sorted (dskit `List`).
    public func kvKeys(withPrefix prefix: String) -> [String] {
        kv.keys(withPrefix: prefix)
    }

    /// Calls `handler` with `key` whenever its value changes (dskit `WatchKey`).
    @discardableResult
    public func kvWatchKey(_ key: String, _ handler: @escaping (String) -> Void) -> KVWatchers.ID {
        let id = kv.watchers.watchKey(key)
        kvWatchHandlers[id] = { keys in if let key = keys.first { handler(key) } }
        return id
    }

    /// Calls `handler` with the changed keys under `prefix` (dskit `WatchPrefix`); beyond
    /// `watch-prefix-buffer-size` pending keys, notifications are dropped and counted.
    @discardableResult
    public func kvWatchPrefix(_ prefix: String, _ handler: @escaping ([String]) -> Void) -> KVWatchers.ID {
        let id = kv.watchers.watchPrefix(prefix)
        kvWatchHandlers[id] = handler
        return id
    }

    public func kvUnwatch(_ id: KVWatchers.ID) {
        kv.watchers.unwatch(id)
        kvWatchHandlers[id] = nil
    }

    /// How a `kvCAS` ended.
    public enum KVCASResult: Sendable {
        /// Written (or nothing to write) after `attempts` attempts.
        case done(attempts: Int)
        /// Every attempt merged to nothing (`KVStore.casMaxAttempts`), or the node stopped.
        case gaveUp(attempts: Int)
        case failed(KVError)
    }

    /// dskit's `CAS`: `update` gets the stored value (tombstones included, nil when absent)
    /// and returns the value to write or nil for no change. A write that merges to nothing
    /// (ring timestamps are whole seconds) is retried after 1 s, a version mismatch at once,
    /// up to `KVStore.casMaxAttempts` attempts (dskit-kv-ring.md 3.4).
    public func kvCAS(key: String, codecID: String,
                      update: @escaping ((any MergeableValue)?) -> (any MergeableValue)?,
                      completion: @escaping (KVCASResult) -> Void = { _ in }) {
        kvCASAttempt(1, key: key, codecID: codecID, update: update, completion: completion)
    }

    private func kvCASAttempt(_ attempt: Int, key: String, codecID: String,
                              update: @escaping ((any MergeableValue)?) -> (any MergeableValue)?,
                              completion: @escaping (KVCASResult) -> Void) {
        guard !isShutDown else {
            kv.casGaveUp()
            completion(.gaveUp(attempts: attempt - 1))
            return
        }
        let outcome: KVCASOutcome
        do {
            outcome = try kv.cas(key: key, codecID: codecID, nowMillis: WallClock.nowMillis(), update: update)
        } catch {
            kv.casGaveUp()
            completion(.failed(error))
            return
        }
        if case .changed = outcome { kvChangedLocally() }
        switch outcome.nextStep(afterAttempt: attempt) {
        case .done:
            completion(.done(attempts: attempt))
        case .giveUp:
            kv.casGaveUp()
            completion(.gaveUp(attempts: attempt))
        case .retryNow:
            kvCASAttempt(attempt + 1, key: key, codecID: codecID, update: update, completion: completion)
        case .retryAfter(let millis):
            loop.schedule(after: .milliseconds(millis)) { [weak self] _ in
                self?.kvCASAttempt(attempt + 1, key: key, codecID: codecID, update: update, completion: completion)
            }
        }
    }

    /// Marks `key` deleted and broadcasts it (dskit `Delete`).
    public func kvDelete(_ key: String) throws(KVError) {
        let result = try kv.delete(key, nowMillis: WallClock.nowMillis())
        if result.version != nil { kvChangedLocally() }
    }

    /// Waits until the KV's local queue is empty, no other member is alive, or `deadline`
    /// passes (nil = no bound), checking every gossip interval (dskit's
    /// `broadcast_timeout_for_local_updates_on_shutdown` wait).
    func waitForLocalKVBroadcasts(until deadline: MonotonicInstant?, _ done: @escaping () -> Void) {
        let othersAlive = core.aliveCount > 1
        let expired = deadline.map { MonotonicInstant.now() >= $0 } ?? false
        if isShutDown || kv.queues.local.count == 0 || !othersAlive || expired {
            done()
            return
        }
        loop.schedule(after: config.membership.gossipInterval) { [weak self] _ in
            self?.waitForLocalKVBroadcasts(until: deadline, done)
        }
    }
}
