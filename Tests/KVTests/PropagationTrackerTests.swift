import Membership
import Testing
import KV

/// dskit's propagation delay tracker (dskit-kv-ring.md 8): its value merges as a CRDT, its
/// codec is snappy-protobuf, and the tracker measures only others' beacons published after
/// it started, once each, into the default histogram buckets.
@Suite struct PropagationTrackerTests {
    let start: Int64 = 1_767_225_600_000
    let settings = PropagationDelayTracker.Settings(beaconIntervalMillis: 60_000, beaconLifetimeMillis: 600_000,
                                                    logLongerThanMillis: 2_000, nodeName: "node-b")

    @Test func codecRoundTripsAndRejectsGarbage() throws {
        let codec = PropagationTrackerCodec()
        let value = try #require(KVFixtures.trackers["tracker_beacons"])
        let encoded = try #require(codec.encode(value))
        #expect(try codec.decode(encoded) as? PropagationTrackerDesc == value)
        #expect(try codec.decode([]) as? PropagationTrackerDesc == PropagationTrackerDesc())
        #expect(codec.encode(RingDesc()) == nil)
        #expect(throws: KVError.self) { try codec.decode([0xFF, 0xFF, 0xFF]) }
        // A truncated map entry is a protobuf error, never a crash.
        let truncated = PropagationTrackerDesc(beacons: [9: BeaconDesc(publishedAtMillis: 5)]).encoded().dropLast()
        #expect(throws: ProtobufError.self) { try PropagationTrackerDesc(decoding: Array(truncated)) }
    }

    @Test func aTombstoneBeatsTheLiveBeaconAndALaterPublishBeatsBoth() {
        var local = PropagationTrackerDesc(beacons: [1: BeaconDesc(publishedAtMillis: 100)])
        let tombstone = PropagationTrackerDesc(beacons: [1: BeaconDesc(publishedAtMillis: 100, deletedAtMillis: 200)])
        #expect(local.merge(tombstone, localCAS: false, nowMillis: 0) == tombstone)
        // The live beacon again: older deletion time (0), no change.
        #expect(local.merge(PropagationTrackerDesc(beacons: [1: BeaconDesc(publishedAtMillis: 100)]), localCAS: false,
                            nowMillis: 0) == nil)
        let republished = PropagationTrackerDesc(beacons: [1: BeaconDesc(publishedAtMillis: 101)])
        #expect(local.merge(republished, localCAS: false, nowMillis: 0) == republished)
        #expect(local == republished)
    }

    @Test func aLocalCASTombstonesTheBeaconsItLeftOut() {
        var local = PropagationTrackerDesc(beacons: [1: BeaconDesc(publishedAtMillis: 100), 2: BeaconDesc(publishedAtMillis: 150),
                                                     3: BeaconDesc(publishedAtMillis: 90, deletedAtMillis: 95)])
        let written = PropagationTrackerDesc(beacons: [2: BeaconDesc(publishedAtMillis: 150)])
        let change = local.merge(written, localCAS: true, nowMillis: 500)
        #expect(change == PropagationTrackerDesc(beacons: [1: BeaconDesc(publishedAtMillis: 100, deletedAtMillis: 500)]))
        #expect(local.beacons[3]?.deletedAtMillis == 95, "an old tombstone is left alone")
        #expect(local.withoutTombstones().beacons.keys.sorted() == [2])
        #expect(local.removeTombstones(olderThanMillis: 400) == (total: 1, removed: 1))
        #expect(local.beacons.keys.sorted() == [1, 2])
        #expect(local.removeTombstones(olderThanMillis: nil) == (total: 0, removed: 1))
        #expect(Set(local.mergeContent) == ["2"])
    }

    /// Gossip merges (not local CAS) commute: replicas fed the same updates in other orders agree.
    @Test(arguments: (0..<16).map { UInt64(900) + UInt64($0) })
    func replicasConverge(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var updates: [PropagationTrackerDesc] = []
        for _ in 0..<30 {
            let id = UInt64.random(in: 1...6, using: &random)
            let published = Int64.random(in: 1...4, using: &random) * 1000
            let deleted = Bool.random(using: &random) ? published + Int64.random(in: 1...3, using: &random) : 0
            updates.append(PropagationTrackerDesc(beacons: [id: BeaconDesc(publishedAtMillis: published, deletedAtMillis: deleted)]))
        }
        var first = PropagationTrackerDesc()
        var second = PropagationTrackerDesc()
        for update in updates { _ = first.merge(update, localCAS: false, nowMillis: 0) }
        for update in updates.shuffled(using: &random) { _ = second.merge(update, localCAS: false, nowMillis: 0) }
        #expect(first == second, "seed \(seed)")
    }

    @Test func onlyOthersBeaconsPublishedAfterStartAreMeasuredOnce() {
        var tracker = PropagationDelayTracker(settings: settings, startupMillis: start)
        tracker.beginPublish(id: 50)
        let desc = PropagationTrackerDesc(beacons: [
            10: BeaconDesc(publishedAtMillis: start - 1, publishedBy: "node-a"),        // before start-up
            11: BeaconDesc(publishedAtMillis: start + 100, publishedBy: "node-a"),      // 40 ms later
            12: BeaconDesc(publishedAtMillis: start + 10, deletedAtMillis: start + 20),     // a tombstone
            13: BeaconDesc(publishedAtMillis: start + 140, publishedBy: "node-c"),           // 0 ms
            50: BeaconDesc(publishedAtMillis: start + 120, publishedBy: "node-b"),      // our own
        ])
        #expect(tracker.received(desc, nowMillis: start + 140).isEmpty)
        #expect(tracker.metrics.beaconsReceived == 2)
        #expect(tracker.metrics.delays.count == 2)
        #expect(tracker.metrics.delays.sumMillis == 40)
        // 0 ms and 40 ms: le 5 holds one, le 50 both.
        #expect(tracker.metrics.delays.cumulativeCounts == [1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2])
        // The same beacons again: nothing new.
        _ = tracker.received(desc, nowMillis: start + 10_000)
        #expect(tracker.metrics.beaconsReceived == 2)
        // A slow one is reported for the log.
        let slow = PropagationTrackerDesc(beacons: [14: BeaconDesc(publishedAtMillis: start + 1_000, publishedBy: "node-c")])
        let reported = tracker.received(slow, nowMillis: start + 4_000)
        #expect(reported == [.init(id: 14, publishedBy: "node-c", publishedAtMillis: start + 1_000, delayMillis: 3_000)])
        #expect(tracker.metrics.delays.bucketCounts.last == 0)
        #expect(tracker.metrics.delays.cumulativeCounts[8] == 2, "3 s is above le 2.5")
        #expect(tracker.metrics.delays.cumulativeCounts[9] == 3, "and within le 5")
        // Beacons gone from the value are forgotten, our pending one is kept until its CAS ends:
        // beacon 11 coming back later (republished) is measured again.
        _ = tracker.received(PropagationTrackerDesc(), nowMillis: start + 5_000)
        _ = tracker.received(PropagationTrackerDesc(beacons: [11: BeaconDesc(publishedAtMillis: start + 5_000)]), nowMillis: start + 5_020)
        #expect(tracker.metrics.beaconsReceived == 4)
        tracker.endPublish(written: true)
        #expect(tracker.metrics.beaconsPublished == 1)
    }

    @Test func aTickPublishesWhenNoBeaconIsRecentAndExpiresOldOnes() {
        let tracker = PropagationDelayTracker(settings: settings, startupMillis: start)
        let now = start + 3_600_000
        #expect(tracker.tick(nil, nowMillis: now) == .init(expired: [], publish: true))
        let desc = PropagationTrackerDesc(beacons: [
            1: BeaconDesc(publishedAtMillis: now - 600_000),       // lifetime reached
            2: BeaconDesc(publishedAtMillis: now - 120_000),       // older than an interval
            3: BeaconDesc(publishedAtMillis: now - 700_000, deletedAtMillis: now - 1),
        ])
        #expect(tracker.tick(desc, nowMillis: now) == .init(expired: [1], publish: true))
        var recent = desc
        recent.beacons[4] = BeaconDesc(publishedAtMillis: now - 59_999)
        #expect(tracker.tick(recent, nowMillis: now) == .init(expired: [1], publish: false))

        let expired = PropagationDelayTracker.expiring(recent, ids: [1, 3], nowMillis: now)
        #expect(expired?.beacons[1]?.deletedAtMillis == now)
        #expect(expired?.beacons[3]?.deletedAtMillis == now - 1, "a tombstone keeps its time")
        #expect(PropagationDelayTracker.expiring(recent, ids: [3], nowMillis: now) == nil)
        #expect(tracker.publishing(recent, id: 4, nowMillis: now) == nil, "an ID collision writes nothing")
        #expect(tracker.publishing(nil, id: 9, nowMillis: now)?.beacons[9] == BeaconDesc(publishedAtMillis: now, publishedBy: "node-b"))
    }

    /// Through two KV stores: a beacon published by a CAS on one arrives as gossip on the
    /// other, whose tracker observes the delay between the two clocks' readings.
    @Test func aBeaconGossipedBetweenStoresIsMeasured() throws {
        let config = KVStoreConfig(codecs: KVCodecRegistry([PropagationTrackerCodec()]))
        var a = KVStore(config: config)
        var b = KVStore(config: config)
        var publisher = PropagationDelayTracker(settings: .init(beaconIntervalMillis: 1_000, beaconLifetimeMillis: 10_000,
                                                                nodeName: "node-a"), startupMillis: start)
        var receiver = PropagationDelayTracker(settings: settings, startupMillis: start)
        publisher.beginPublish(id: 77)
        let outcome = try a.cas(key: PropagationTrackerDesc.key, codecID: PropagationTrackerCodec.codecID, nowMillis: start + 10) {
            publisher.publishing($0 as? PropagationTrackerDesc, id: 77, nowMillis: start + 10)
        }
        guard case .changed = outcome else { Issue.record("\(outcome)"); return }
        publisher.endPublish(written: true)
        for message in a.queues.local.broadcasts.map(\.message) {
            #expect(b.receive(message: message[...], nowMillis: start + 260) == .changed(version: 1))
        }
        let value = try #require(b.get(PropagationTrackerDesc.key)?.value as? PropagationTrackerDesc)
        _ = receiver.received(value, nowMillis: start + 260)
        #expect(receiver.metrics.delays.count == 1 && receiver.metrics.delays.sumMillis == 250)
        #expect(value.beacons[77]?.publishedBy == "node-a")
        #expect(publisher.metrics.beaconsPublished == 1)
    }
}
