import Membership
import Simulation
import Testing

@Suite struct EventQueueTests {
    @Test func popsInTimeOrderThenInsertionOrder() {
        var queue = EventQueue<Int>()
        var random = SeededRandom(seed: 1)
        var expected: [(UInt64, Int)] = []
        for payload in 0..<2_000 {
            let time = random.next(upperBound: UInt64(50))
            queue.insert(payload, at: VirtualInstant(nanoseconds: time))
            expected.append((time, payload))
        }
        // A stable sort by time is exactly (time, insertion sequence) order.
        expected = expected.enumerated().sorted { a, b in
            a.element.0 != b.element.0 ? a.element.0 < b.element.0 : a.offset < b.offset
        }.map(\.element)
        var popped: [(UInt64, Int)] = []
        while let (time, payload) = queue.popFirst() {
            popped.append((time.nanoseconds, payload))
        }
        #expect(popped.map(\.0) == expected.map(\.0))
        #expect(popped.map(\.1) == expected.map(\.1))
        #expect(queue.isEmpty)
    }

    @Test func interleavedInsertsAndPopsReuseSlots() {
        var queue = EventQueue<String>()
        queue.insert("b", at: VirtualInstant(nanoseconds: 20))
        queue.insert("a", at: VirtualInstant(nanoseconds: 10))
        #expect(queue.popFirst()?.payload == "a")
        queue.insert("c", at: VirtualInstant(nanoseconds: 15))
        queue.insert("d", at: VirtualInstant(nanoseconds: 20))
        #expect(queue.nextTime == VirtualInstant(nanoseconds: 15))
        #expect(queue.popFirst()?.payload == "c")
        #expect(queue.popFirst()?.payload == "b")
        #expect(queue.popFirst()?.payload == "d")
        #expect(queue.popFirst() == nil)
    }
}
