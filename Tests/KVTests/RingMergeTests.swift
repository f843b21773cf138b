import Testing
import KV

/// The ring merge, one test group per bullet of dskit-kv-ring.md 5.1.
@Suite struct RingMergeTests {
    private let now: Int64 = 1_767_225_600_000

    private func instance(_ id: String, _ timestamp: Int64, _ state: InstanceState = .active,
                          tokens: [UInt32] = []) -> InstanceDesc {
        InstanceDesc(addr: "\(id):1", timestamp: timestamp, state: state, tokens: tokens, id: id)
    }

    // Bullet 1: incoming is normalised.
    @Test func incomingLeftLosesTokensAndTokensAreSortedAndUnique() {
        var local = RingDesc()
        let incoming = RingDesc(instances: [
            "a": instance("a", 10, tokens: [30, 10, 20, 10, 30]),
            "b": instance("b", 10, .left, tokens: [5, 6]),
        ])
        let change = local.merge(incoming, localCAS: false, nowMillis: now)
        #expect(local.instances["a"]?.tokens == [10, 20, 30])
        #expect(local.instances["b"]?.tokens == [])
        #expect(change?.instances["a"]?.tokens == [10, 20, 30])
    }

    // Bullet 2: strictly greater timestamp replaces the whole entry.
    @Test func newerTimestampReplacesWholeEntry() {
        var local = RingDesc(instances: ["a": InstanceDesc(addr: "old", timestamp: 10, state: .active, tokens: [1],
                                                            zone: "z1", readOnly: true, versions: [1: 1])])
        let newer = InstanceDesc(addr: "new", timestamp: 11, state: .leaving, tokens: [2], zone: "")
        let change = local.merge(RingDesc(instances: ["a": newer]), localCAS: false, nowMillis: now)
        #expect(local.instances["a"] == newer)
        #expect(change == RingDesc(instances: ["a": newer]))
    }

    @Test func equalOrOlderTimestampKeepsLocal() {
        let mine = instance("a", 10, tokens: [1])
        var local = RingDesc(instances: ["a": mine])
        #expect(local.merge(RingDesc(instances: ["a": instance("a", 10, .leaving, tokens: [9])]), localCAS: false, nowMillis: now) == nil)
        #expect(local.merge(RingDesc(instances: ["a": instance("a", 9, .pending)]), localCAS: false, nowMillis: now) == nil)
        #expect(local.instances["a"] == mine)
    }

    @Test func equalTimestampIncomingLeftWinsOverNonLeft() {
        var local = RingDesc(instances: ["a": instance("a", 10, tokens: [1])])
        let change = local.merge(RingDesc(instances: ["a": instance("a", 10, .left, tokens: [1])]), localCAS: false, nowMillis: now)
        #expect(local.instances["a"]?.state == .left)
        #expect(local.instances["a"]?.tokens == [])
        #expect(change?.mergeContent == ["a"])
        // Local already LEFT at the same timestamp: nothing changes.
        #expect(local.merge(RingDesc(instances: ["a": instance("a", 10, .left)]), localCAS: false, nowMillis: now) == nil)
    }

    @Test func absentLocalCountsAsTimestampZero() {
        var local = RingDesc()
        #expect(local.merge(RingDesc(instances: ["a": instance("a", 0)]), localCAS: false, nowMillis: now) == nil)
        #expect(local.merge(RingDesc(instances: ["a": instance("a", 1)]), localCAS: false, nowMillis: now) != nil)
    }

    // Bullet 3: localCAS turns missing instances into LEFT with timestamp now.
    @Test func localCASTurnsMissingInstancesIntoLeftWithNow() {
        var local = RingDesc(instances: [
            "a": instance("a", 10, tokens: [1, 2]),
            "b": instance("b", 10, tokens: [3]),
            "gone": instance("gone", 5, .left),
        ])
        let change = local.merge(RingDesc(instances: ["a": instance("a", 10, tokens: [1, 2])]), localCAS: true, nowMillis: now + 999)
        #expect(local.instances["b"] == InstanceDesc(addr: "b:1", timestamp: now / 1000, state: .left, tokens: [], id: "b"))
        #expect(local.instances["gone"]?.timestamp == 5)
        #expect(change?.mergeContent == ["b"])
    }

    @Test func withoutLocalCASMissingInstancesStay() {
        var local = RingDesc(instances: ["a": instance("a", 10), "b": instance("b", 10)])
        #expect(local.merge(RingDesc(instances: ["a": instance("a", 10)]), localCAS: false, nowMillis: now) == nil)
        #expect(local.instances["b"]?.state == .active)
    }

    // Bullet 4: token conflicts.
    @Test func tokenConflictSmallerIDWins() {
        var local = RingDesc(instances: ["b": instance("b", 10, tokens: [1, 2, 3])])
        _ = local.merge(RingDesc(instances: ["a": instance("a", 11, tokens: [2, 4])]), localCAS: false, nowMillis: now)
        #expect(local.instances["a"]?.tokens == [2, 4])
        #expect(local.instances["b"]?.tokens == [1, 3])
    }

    @Test func tokenConflictLeavingOwnerLoses() {
        var local = RingDesc(instances: ["a": instance("a", 10, .leaving, tokens: [1, 2])])
        _ = local.merge(RingDesc(instances: ["b": instance("b", 11, tokens: [2, 5])]), localCAS: false, nowMillis: now)
        #expect(local.instances["a"]?.tokens == [1])
        #expect(local.instances["b"]?.tokens == [2, 5])
    }

    @Test func tokenConflictBothLeavingSmallerIDWins() {
        var local = RingDesc(instances: ["b": instance("b", 10, .leaving, tokens: [7])])
        _ = local.merge(RingDesc(instances: ["a": instance("a", 11, .leaving, tokens: [7])]), localCAS: false, nowMillis: now)
        #expect(local.instances["a"]?.tokens == [7])
        #expect(local.instances["b"]?.tokens == [])
    }

    @Test func leftOwnersAreIgnoredInConflicts() {
        // A LEFT entry with tokens can only exist locally (incoming is normalised); it never wins.
        var local = RingDesc(instances: ["a": instance("a", 10, .left, tokens: [7])])
        _ = local.merge(RingDesc(instances: ["b": instance("b", 11, tokens: [7])]), localCAS: false, nowMillis: now)
        #expect(local.instances["b"]?.tokens == [7])
        #expect(local.instances["a"]?.tokens == [])
    }

    // Bullet 5: delta, MergeContent, RemoveTombstones.
    @Test func deltaHoldsOnlyUpdatedInstancesInFinalState() {
        var local = RingDesc(instances: ["a": instance("a", 10), "b": instance("b", 10)])
        let change = local.merge(RingDesc(instances: ["a": instance("a", 12, .leaving), "b": instance("b", 9)]),
                                 localCAS: false, nowMillis: now)
        #expect(change == RingDesc(instances: ["a": instance("a", 12, .leaving)]))
        #expect(change?.mergeContent == ["a"])
    }

    @Test func removeTombstonesDropsLeftOlderThanLimitOrAllWithoutLimit() {
        var ring = RingDesc(instances: [
            "old": instance("old", 100, .left),
            "new": instance("new", 200, .left),
            "live": instance("live", 50),
        ])
        var copy = ring
        let limited = ring.removeTombstones(olderThanMillis: 150_000)
        #expect(limited.total == 1 && limited.removed == 1)
        #expect(Set(ring.instances.keys) == ["new", "live"])
        // Exactly at the limit is not older.
        #expect(ring.removeTombstones(olderThanMillis: 200_000).removed == 0)
        let all = copy.removeTombstones(olderThanMillis: nil)
        #expect(all.total == 0 && all.removed == 2)
        #expect(Array(copy.instances.keys) == ["live"])
    }

    @Test func clientsNeverSeeLeft() {
        let ring = RingDesc(instances: ["a": instance("a", 1, .left), "b": instance("b", 1)])
        #expect(Array(ring.withoutTombstones().instances.keys) == ["b"])
    }
}
