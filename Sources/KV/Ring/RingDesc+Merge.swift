/// The ring's CRDT merge, dskit-kv-ring.md 5.1 (dskit `ring/model.go`, `Desc.Merge`).
extension RingDesc: MergeableValue {
    /// Merges `incoming` into this ring and returns the updated instances in their final
    /// state, or nil when none changed.
    /// - Incoming is normalised first: LEFT instances lose their tokens, token lists are sorted
    ///   and de-duplicated.
    /// - An incoming instance replaces the local one when its timestamp is strictly greater
    ///   (absent = 0), or when timestamps are equal, incoming is LEFT and local is not.
    /// - With `localCAS`, local non-LEFT instances missing from incoming become LEFT with no
    ///   tokens and timestamp = now (seconds), so older in-flight gossip cannot revive them.
    /// - When tokens changed and a token ends up owned twice, conflicts are resolved.
    public mutating func merge(_ incoming: RingDesc, localCAS: Bool, nowMillis: Int64) -> RingDesc? {
        var other = incoming
        other.normalise()

        var updated: [String] = []
        var tokensChanged = false
        for (id, theirs) in other.instances {
            let ours = instances[id]
            let ourTimestamp = ours?.timestamp ?? 0
            if theirs.timestamp > ourTimestamp {
                if ours?.tokens != theirs.tokens { tokensChanged = true }
                instances[id] = theirs
                updated.append(id)
            } else if theirs.timestamp == ourTimestamp, theirs.state == .left, let ours, ours.state != .left {
                instances[id] = theirs
                updated.append(id)
            }
        }

        if localCAS {
            let nowSeconds = Self.unixSeconds(millis: nowMillis)
            for (id, ours) in instances where other.instances[id] == nil && ours.state != .left {
                var tombstone = ours
                tombstone.state = .left
                tombstone.tokens = []
                tombstone.timestamp = nowSeconds
                instances[id] = tombstone
                updated.append(id)
            }
        }

        if updated.isEmpty { return nil }
        if tokensChanged && hasConflictingTokens() { resolveTokenConflicts() }

        var change = RingDesc()
        for id in updated { change.instances[id] = instances[id] }
        return change
    }

    /// The instance IDs this ring (usually a delta) covers.
    public var mergeContent: [String] { Array(instances.keys) }

    /// Drops LEFT instances whose timestamp lies before `limitMillis` (all LEFT when nil).
    public mutating func removeTombstones(olderThanMillis limitMillis: Int64?) -> (total: Int, removed: Int) {
        var total = 0
        var removed = 0
        for (id, instance) in instances where instance.state == .left {
            let (millis, overflow) = instance.timestamp.multipliedReportingOverflow(by: 1000)
            let older = limitMillis.map { limit in !overflow && millis < limit } ?? true
            if older {
                instances[id] = nil
                removed += 1
            } else {
                total += 1
            }
        }
        return (total, removed)
    }

    public func withoutTombstones() -> RingDesc {
        RingDesc(instances: instances.filter { $0.value.state != .left })
    }

    /// LEFT instances lose their tokens; token lists are sorted and de-duplicated.
    mutating func normalise() {
        for (id, var instance) in instances {
            if instance.state == .left { instance.tokens = [] }
            guard !instance.tokens.isEmpty else {
                instances[id] = instance
                continue
            }
            instance.tokens.sort()
            var unique: [UInt32] = []
            unique.reserveCapacity(instance.tokens.count)
            for token in instance.tokens where unique.last != token { unique.append(token) }
            instance.tokens = unique
            instances[id] = instance
        }
    }

    func hasConflictingTokens() -> Bool {
        var seen = Set<UInt32>()
        for instance in instances.values {
            for token in instance.tokens where !seen.insert(token).inserted { return true }
        }
        return false
    }

    /// Gives each token owned twice to one owner: LEFT owners are ignored; when exactly one of
    /// the two is LEAVING the other wins; otherwise the lexicographically smaller instance ID
    /// wins. Every instance's token list is rebuilt sorted.
    mutating func resolveTokenConflicts() {
        var owner: [UInt32: String] = [:]
        // Walk instances in ID order so that the result does not depend on dictionary order.
        for id in instances.keys.sorted() {
            guard let instance = instances[id], instance.state != .left else { continue }
            for token in instance.tokens {
                guard let previousID = owner[token], let previous = instances[previousID] else {
                    owner[token] = id
                    continue
                }
                let winner: String
                if instance.state == .leaving && previous.state != .leaving {
                    winner = previousID
                } else if previous.state == .leaving && instance.state != .leaving {
                    winner = id
                } else {
                    winner = min(id, previousID)
                }
                owner[token] = winner
            }
        }
        var lists: [String: [UInt32]] = [:]
        for id in instances.keys { lists[id] = [] }
        for token in owner.keys.sorted() {
            if let id = owner[token] { lists[id, default: []].append(token) }
        }
        for (id, tokens) in lists { instances[id]?.tokens = tokens }
    }

    /// Unix seconds of a Unix-milliseconds instant, rounded down like Go's `Time.Unix`.
    public static func unixSeconds(millis: Int64) -> Int64 {
        millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000)
    }
}
