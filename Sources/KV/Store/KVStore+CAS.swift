/// Compare-and-swap on one key (dskit `CAS`, dskit-kv-ring.md 3.4). The store is a value
/// without threads or clocks, so the retry loop belongs to the caller:
/// - `.versionMismatch`: another update landed since the read; read again and retry at once.
/// - `.noChangeDetected`: the update merged to nothing (ring timestamps are whole seconds, so
///   a same-second write loses); retry after `KVStore.casRetryDelayMillis`.
/// - `.noChangeRequested` and `.changed`: done.
/// dskit gives up after `KVStore.casMaxAttempts` attempts.
public enum KVCASOutcome: Sendable {
    /// The update function returned nil: nothing to write, success.
    case noChangeRequested
    case noChangeDetected
    case versionMismatch
    /// Stored as `version`; watchers were notified and the delta queued on the local queue.
    case changed(delta: any MergeableValue, version: UInt)
}

/// What a CAS caller does after an attempt: the retry rule of dskit's `CAS` loop, kept in one
/// place for every caller (the node's timers, the simulator's virtual clock).
public enum KVCASStep: Equatable, Sendable {
    /// Written, or nothing to write: stop.
    case done
    /// Another update landed since the read: read again at once.
    case retryNow
    /// The write merged to nothing (same-second ring timestamps): retry after this delay.
    case retryAfter(millis: Int64)
    /// `KVStore.casMaxAttempts` reached: stop and count a failure (`casGaveUp`).
    case giveUp
}

extension KVCASOutcome {
    /// The step after attempt number `attempt` (1-based) ended with this outcome.
    public func nextStep(afterAttempt attempt: Int) -> KVCASStep {
        switch self {
        case .noChangeRequested, .changed:
            return .done
        case .versionMismatch:
            return attempt < KVStore.casMaxAttempts ? .retryNow : .giveUp
        case .noChangeDetected:
            return attempt < KVStore.casMaxAttempts ? .retryAfter(millis: KVStore.casRetryDelayMillis) : .giveUp
        }
    }
}

extension KVStore {
    public static let casMaxAttempts = 10
    public static let casRetryDelayMillis: Int64 = 1000

    /// What a CAS update function reads: the stored value (tombstones included) and the
    /// version to hand back to `casCommit`. Version 0 = no value.
    public func casRead(_ key: String) -> (value: (any MergeableValue)?, version: UInt) {
        guard let entry = entries[key] else { return (nil, 0) }
        return (entry.value, entry.version)
    }

    /// Writes the result of a CAS update function read at `readVersion`. Entries missing
    /// from `updated` become tombstones (the merge runs with `localCAS` when a value was read).
    public mutating func casCommit(key: String, updated: (any MergeableValue)?, readVersion: UInt,
                                   codecID: String, nowMillis: Int64) throws(KVError) -> KVCASOutcome {
        counters.casAttempts += 1
        guard let updated else { return .noChangeRequested }
        guard config.codecs.codec(id: codecID) != nil else { throw .unknownCodec(codecID) }
        let currentDeleted = entries[key]?.deleted ?? false
        let result = try apply(key: key, incoming: updated, codecID: codecID, deleted: currentDeleted,
                               updateTimeMillis: nowMillis, casVersion: readVersion, nowMillis: nowMillis)
        switch result {
        case .versionMismatch:
            return .versionMismatch
        case .unchanged:
            return .noChangeDetected
        case .changed(let delta, let version, _, _):
            counters.casSuccesses += 1
            publish(key: key, result: result, codecID: codecID, local: true, nowMillis: nowMillis)
            return .changed(delta: delta, version: version)
        }
    }

    /// The caller's retries ran out (`casMaxAttempts`) or it stopped on an error: dskit's
    /// `cas_failure_total`.
    public mutating func casGaveUp() {
        counters.casFailures += 1
    }

    /// One CAS attempt: read, run `update` on the value read, commit.
    public mutating func cas(key: String, codecID: String, nowMillis: Int64,
                             update: (_ current: (any MergeableValue)?) -> (any MergeableValue)?) throws(KVError) -> KVCASOutcome {
        let (value, version) = casRead(key)
        return try casCommit(key: key, updated: update(value), readVersion: version, codecID: codecID, nowMillis: nowMillis)
    }
}
