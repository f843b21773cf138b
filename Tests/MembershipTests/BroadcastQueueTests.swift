import Testing
import Wire
@testable import Membership

/// memberlist's TransmitLimitedQueue rules (memberlist-wire.md §7.2, §3.4).
@Suite struct BroadcastQueueTests {
    func user(_ length: Int, _ tag: UInt8) -> Message { .user([UInt8](repeating: tag, count: length)) }
    func tags(_ messages: [Message]) -> [UInt8] {
        messages.compactMap { if case .user(let bytes) = $0 { bytes.first } else { nil } }
    }

    @Test func fewestTransmitsThenLargestThenNewest() {
        var queue = BroadcastQueue()
        queue.enqueue(user(10, 1), length: 10, key: nil)
        queue.enqueue(user(30, 2), length: 30, key: nil)
        queue.enqueue(user(10, 3), length: 10, key: nil)
        queue.enqueue(user(20, 4), length: 20, key: nil)
        var out: [Message] = []
        queue.take(overhead: 2, limit: 1000, transmitLimit: 10, into: &out)
        #expect(tags(out) == [2, 4, 3, 1])
        // Now all have 1 transmit; a new one (0 transmits) goes first even if smallest.
        queue.enqueue(user(5, 5), length: 5, key: nil)
        out.removeAll()
        queue.take(overhead: 2, limit: 1000, transmitLimit: 10, into: &out)
        #expect(tags(out) == [5, 2, 4, 3, 1])
    }

    @Test func largestThatFitsTheBudget() {
        var queue = BroadcastQueue()
        queue.enqueue(user(50, 1), length: 50, key: nil)
        queue.enqueue(user(40, 2), length: 40, key: nil)
        queue.enqueue(user(30, 3), length: 30, key: nil)
        var out: [Message] = []
        // Budget 75 with overhead 2: 50 fits (52 used), 40 no longer (free 21), nor 30; then nothing.
        let used = queue.take(overhead: 2, limit: 75, transmitLimit: 10, into: &out)
        #expect(tags(out) == [1])
        #expect(used == 52)
        out.removeAll()
        // Budget 72: free 70 → 50 (52 used) → free 18 → none fit.
        // Budget 44: free 42 → 40 (exactly fits len ≤ free).
        let used2 = queue.take(overhead: 2, limit: 44, transmitLimit: 10, into: &out)
        #expect(tags(out) == [2])
        #expect(used2 == 42)
    }

    @Test func sentExactlyTransmitLimitTimesThenDropped() {
        var queue = BroadcastQueue()
        queue.enqueue(user(10, 1), length: 10, key: nil, notify: OperationID(rawValue: 7))
        var sends = 0
        for _ in 0..<20 {
            var out: [Message] = []
            queue.take(overhead: 2, limit: 1400, transmitLimit: 12, into: &out)
            sends += out.count
        }
        #expect(sends == 12)
        #expect(queue.isEmpty)
        #expect(queue.finishedNotifications == [OperationID(rawValue: 7)])
    }

    @Test func keyedBroadcastReplacesTheOldOne() {
        var queue = BroadcastQueue()
        queue.enqueue(user(10, 1), length: 10, key: "b", notify: OperationID(rawValue: 1))
        queue.enqueue(user(10, 2), length: 10, key: "c")
        queue.enqueue(user(12, 3), length: 12, key: "b")
        queue.enqueue(user(10, 4), length: 10, key: nil)
        queue.enqueue(user(10, 5), length: 10, key: nil)
        #expect(queue.count == 4)
        #expect(queue.finishedNotifications == [OperationID(rawValue: 1)])
        var out: [Message] = []
        queue.take(overhead: 2, limit: 1400, transmitLimit: 10, into: &out)
        #expect(tags(out) == [3, 5, 4, 2])
    }

    @Test func keyedReplacementAfterTransmitsStillFindsTheEntry() {
        var queue = BroadcastQueue()
        queue.enqueue(user(10, 1), length: 10, key: "b")
        var out: [Message] = []
        queue.take(overhead: 2, limit: 1400, transmitLimit: 10, into: &out)
        queue.enqueue(user(10, 2), length: 10, key: "b")
        #expect(queue.count == 1)
        out.removeAll()
        queue.take(overhead: 2, limit: 1400, transmitLimit: 10, into: &out)
        #expect(tags(out) == [2])
    }

    /// Bounded queue (issue #12): pruning drops the broadcasts nearest their transmit
    /// limit first and keeps the byte count exact through takes and replacements.
    @Test func pruneKeepsTheFreshestWithinEntryAndByteBounds() {
        var queue = BroadcastQueue()
        queue.enqueue(user(10, 1), length: 10, key: nil)
        queue.enqueue(user(20, 2), length: 20, key: "k")
        var out: [Message] = []
        queue.take(overhead: 2, limit: 1000, transmitLimit: 10, into: &out)
        #expect(queue.queuedBytes == 30)
        queue.enqueue(user(30, 3), length: 30, key: nil)
        queue.enqueue(user(25, 4), length: 25, key: "k")  // replaces 2
        #expect(queue.queuedBytes == 65)
        #expect(queue.count == 3)
        // Order: 3 (0 transmits, 30), 4 (0 transmits, 25), 1 (1 transmit).
        #expect(queue.prune(maxEntries: 2, maxBytes: 1000) == 1)
        #expect(queue.queuedBytes == 55)
        #expect(queue.prune(maxEntries: 10, maxBytes: 30) == 1)
        #expect(queue.queuedBytes == 30)
        out.removeAll()
        queue.take(overhead: 2, limit: 1000, transmitLimit: 10, into: &out)
        #expect(tags(out) == [3])
        #expect(queue.prune(maxEntries: 0, maxBytes: 0) == 1)
        #expect(queue.isEmpty && queue.queuedBytes == 0)
    }

    @Test func coreCountsUserBroadcastsDroppedAtItsBound() throws {
        var config = MembershipConfig(name: "a")
        config.maxQueuedUserBroadcasts = 3
        config.maxQueuedUserBroadcastBytes = 1 << 20
        let core = try MembershipCore(config: config, advertise: NodeAddress(ip: IPAddress(10, 0, 0, 1), port: 7946),
                                      random: SeededRandom(seed: 1), delegate: nil)
        for tag in UInt8(1)...5 { core.queueUserBroadcast([tag]) }
        #expect(core.queuedBroadcasts.user == 3)
        #expect(core.userBroadcastsDropped == 2)
        #expect(core.queuedUserBroadcastBytes == 3)
    }
}
