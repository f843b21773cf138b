import Testing
import KV

/// Broadcast queues (dskit-kv-ring.md 3.5) and watchers.
@Suite struct BroadcastAndWatchTests {
    private func broadcast(_ key: String, _ content: [String], _ version: UInt, size: Int = 10) -> KVBroadcast {
        KVBroadcast(key: key, content: content, version: version, message: [UInt8](repeating: UInt8(version % 256), count: size))
    }

    @Test func newerBroadcastCoveringTheOldContentInvalidatesIt() {
        let old = broadcast("k", ["a", "b"], 3)
        #expect(broadcast("k", ["a", "b", "c"], 3).invalidates(old))
        #expect(broadcast("k", ["b", "a"], 4).invalidates(old))
        #expect(!broadcast("k", ["a"], 4).invalidates(old))       // does not cover "b"
        #expect(!broadcast("k", ["a", "b"], 2).invalidates(old))  // older version
        #expect(!broadcast("other", ["a", "b"], 4).invalidates(old))
    }

    @Test func enqueueDropsInvalidatedBroadcasts() {
        var queue = BroadcastQueue(retransmitMult: 4)
        queue.enqueue(broadcast("k", ["a"], 1))
        queue.enqueue(broadcast("k", ["b"], 2))
        queue.enqueue(broadcast("k", ["a", "b"], 3))
        #expect(queue.count == 1)
        #expect(queue.invalidated == 2)
    }

    @Test func transmitLimitIsMultTimesCeilLog10OfNPlusOne() {
        #expect(BroadcastQueue.transmitLimit(retransmitMult: 4, nodeCount: 0) == 0)
        #expect(BroadcastQueue.transmitLimit(retransmitMult: 4, nodeCount: 1) == 4)
        #expect(BroadcastQueue.transmitLimit(retransmitMult: 4, nodeCount: 9) == 4)
        #expect(BroadcastQueue.transmitLimit(retransmitMult: 4, nodeCount: 10) == 8)
        #expect(BroadcastQueue.transmitLimit(retransmitMult: 3, nodeCount: 100) == 9)
    }

    @Test func messagesRetireAfterTheTransmitLimit() {
        var queue = BroadcastQueue(retransmitMult: 2)
        queue.enqueue(broadcast("k", ["a"], 1))
        // 3 nodes: limit 2 × ceil(log10(4)) = 2 sends.
        #expect(queue.take(overhead: 2, limit: 100, nodeCount: 3).count == 1)
        #expect(queue.take(overhead: 2, limit: 100, nodeCount: 3).count == 1)
        #expect(queue.take(overhead: 2, limit: 100, nodeCount: 3).isEmpty)
        #expect(queue.count == 0)
    }

    @Test func budgetIsFilledLocalFirstAndLeastSentFirst() {
        var queues = KVBroadcastQueues(retransmitMult: 4)
        queues.gossip.enqueue(broadcast("g", ["x"], 9, size: 10))
        queues.local.enqueue(broadcast("l1", ["a"], 1, size: 10))
        queues.local.enqueue(broadcast("l2", ["a"], 2, size: 10))
        // Budget for two messages of 10 bytes + 2 overhead: both local ones, no gossip.
        let first = queues.take(overhead: 2, limit: 24, nodeCount: 3)
        #expect(first.map(\.first) == [2, 1])
        // Local still fills the budget first; with room for three the gossip message follows.
        let second = queues.take(overhead: 2, limit: 36, nodeCount: 3)
        #expect(second.map(\.first) == [2, 1, 9])
    }

    @Test func messagesThatDoNotFitWaitAndSmallerOnesGoAhead() {
        var queue = BroadcastQueue(retransmitMult: 4)
        queue.enqueue(broadcast("big", ["a"], 1, size: 50))
        queue.enqueue(broadcast("small", ["b"], 2, size: 5))
        #expect(queue.take(overhead: 0, limit: 20, nodeCount: 3).map(\.count) == [5])
        #expect(queue.take(overhead: 0, limit: 60, nodeCount: 3).map(\.count) == [50, 5])
    }

    @Test func keyWatcherCoalescesAndPrefixWatcherDropsPastItsBuffer() {
        var watchers = KVWatchers(prefixBufferSize: 2)
        let keyWatcher = watchers.watchKey("collectors/ring")
        let prefixWatcher = watchers.watchPrefix("collectors/")
        let otherWatcher = watchers.watchPrefix("other/")
        for key in ["collectors/ring", "collectors/ring", "collectors/a", "collectors/b"] { watchers.notify(key) }
        #expect(watchers.takeNotifications(keyWatcher) == ["collectors/ring"])
        #expect(watchers.takeNotifications(prefixWatcher) == ["collectors/ring", "collectors/ring"])
        #expect(watchers.droppedByPrefix["collectors/"] == 2)
        #expect(watchers.takeNotifications(otherWatcher).isEmpty)
        watchers.unwatch(keyWatcher)
        watchers.notify("collectors/ring")
        #expect(watchers.takeNotifications(keyWatcher).isEmpty)
        #expect(watchers.takeNotifications(prefixWatcher) == ["collectors/ring"])
    }
}

/// Message history (dskit-kv-ring.md 3.7).
@Suite struct KVMessageHistoryTests {
    private func entry(_ size: Int) -> KVMessageHistory.Entry {
        KVMessageHistory.Entry(timeMillis: 1, size: size, pair: KeyValuePair(key: "k", value: [], codec: "ringDesc"),
                               version: 1, changes: ["a"])
    }

    @Test func oldestEntriesLeaveToKeepEachListWithinTheLimit() {
        var history = KVMessageHistory(limitBytes: 100)
        history.recordReceived(entry(40))
        history.recordSent(entry(90))
        history.recordReceived(entry(40))
        history.recordReceived(entry(30))
        #expect(history.received.map(\.id) == [3, 4])
        #expect(history.sent.map(\.id) == [2])
        history.recordSent(entry(150)) // larger than the limit: nothing stays
        #expect(history.sent.isEmpty)
    }

    @Test func zeroLimitKeepsNothing() {
        var history = KVMessageHistory(limitBytes: 0)
        history.recordReceived(entry(1))
        #expect(history.received.isEmpty)
    }
}
