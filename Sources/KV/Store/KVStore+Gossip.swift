/// The store's side of gossip: user messages (NotifyMsg), push/pull local state and remote
/// state merges (dskit-kv-ring.md 3.3, 3.6).
extension KVStore {
    /// What became of a received pair.
    public enum ReceiveOutcome: Equatable, Sendable {
        /// Dropped and counted invalid (empty key, unknown codec, undecodable value).
        case invalid(KVError)
        /// Applied without effect: not re-gossiped.
        case unchanged
        /// Applied; watchers notified and the delta (never the original bytes) queued on the
        /// gossip queue at this node-local version.
        case changed(version: UInt)
    }

    /// A gossiped user message carrying a `KeyValuePair` (dskit `NotifyMsg` and its per-key
    /// worker). Malformed bytes are counted invalid.
    public mutating func receive(message: ArraySlice<UInt8>, nowMillis: Int64) -> ReceiveOutcome {
        counters.receivedBroadcasts += 1
        counters.receivedBroadcastsBytes += message.count
        let pair: KeyValuePair
        do {
            pair = try KeyValuePair(decoding: message)
        } catch {
            counters.receivedBroadcastsInvalid += 1
            return .invalid(.undecodable(codec: "", reason: "KeyValuePair: \(error)"))
        }
        let outcome = applyRemote(pair, size: message.count, nowMillis: nowMillis)
        if case .invalid = outcome { counters.receivedBroadcastsInvalid += 1 }
        return outcome
    }

    /// Applies a pair received from another node (`size` bytes as received), re-gossiping
    /// what changed; a valid pair is recorded in the received history.
    mutating func applyRemote(_ pair: KeyValuePair, size: Int, nowMillis: Int64) -> ReceiveOutcome {
        guard !pair.key.isEmpty else { return .invalid(.emptyKey) }
        guard let codec = config.codecs.codec(id: pair.codec) else { return .invalid(.unknownCodec(pair.codec)) }
        do {
            let value = try codec.decodeMergeable(pair.value)
            let result = try apply(key: pair.key, incoming: value, codecID: pair.codec, deleted: pair.deleted,
                                   updateTimeMillis: pair.updateTimeMillis, nowMillis: nowMillis)
            history.recordReceived(KVMessageHistory.Entry(timeMillis: nowMillis, size: size, pair: pair,
                                                          version: result.version ?? 0,
                                                          changes: result.delta?.mergeContent.sorted() ?? []))
            publish(key: pair.key, result: result, codecID: pair.codec, local: false, nowMillis: nowMillis)
            if let version = result.version { return .changed(version: version) }
            return .unchanged
        } catch {
            return .invalid(error)
        }
    }

    /// The push/pull user state: every key whose codec is known, full value, deleted flag and
    /// update time, framed (dskit `LocalState`; keys in sorted order here).
    public mutating func localState() -> [UInt8] {
        var output: [UInt8] = []
        for pair in fullStatePairs() { LocalStateFrame.append(pair, to: &output) }
        counters.statePulls += 1
        counters.statePullsBytes += output.count
        return output
    }

    /// The pairs `localState` frames, sorted by key, without counting a pull: what every
    /// replica holds, comparable across nodes (the encodings are deterministic).
    public func fullStatePairs() -> [KeyValuePair] {
        entries.keys.sorted().compactMap { key in
            guard let entry = entries[key], let codec = config.codecs.codec(id: entry.codecID),
                  let value = codec.encode(entry.value) else { return nil }
            return KeyValuePair(key: key, value: value, codec: entry.codecID,
                                deleted: entry.deleted, updateTimeMillis: entry.updateTimeMillis)
        }
    }

    /// What a remote state merge did.
    public struct RemoteStateSummary: Equatable, Sendable {
        /// Keys whose value changed, in the order they were applied.
        public var changedKeys: [String] = []
        /// Pairs skipped: unknown codec, or a value that failed to decode or merge.
        public var skippedPairs = 0
        /// Why parsing stopped before the end, if it did (dskit logs it).
        public var stoppedAt: LocalStateFrame.StopReason?
    }

    /// Merges a peer's push/pull state (dskit `MergeRemoteState`): each pair is applied as a
    /// gossiped value; truncation or a malformed pair stops parsing after what came before.
    public mutating func mergeRemoteState(_ bytes: [UInt8], nowMillis: Int64) -> RemoteStateSummary {
        counters.statePushes += 1
        counters.statePushesBytes += bytes.count
        let parsed = LocalStateFrame.parse(bytes)
        var summary = RemoteStateSummary(stoppedAt: parsed.stoppedAt)
        for pair in parsed.pairs {
            switch applyRemote(pair, size: pair.value.count, nowMillis: nowMillis) {
            case .invalid: summary.skippedPairs += 1
            case .unchanged: break
            case .changed: summary.changedKeys.append(pair.key)
            }
        }
        return summary
    }
}
