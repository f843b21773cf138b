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
}
