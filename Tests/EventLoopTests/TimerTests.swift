import MonotonicTime
import Testing
@testable import EventLoop

@Suite struct TimerTests {
    @Test func timersFireInDeadlineOrderAndCancelledOnesDoNot() async throws {
        let fired = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ([String]) -> Void) in
                var order: [String] = []
                let start = loop.now
                loop.schedule(at: start + .milliseconds(40)) { _ in order.append("40ms") }
                loop.schedule(at: start + .milliseconds(10)) { _ in order.append("10ms-a") }
                let doomed = loop.schedule(at: start + .milliseconds(20)) { _ in order.append("20ms-cancelled") }
                loop.schedule(at: start + .milliseconds(10)) { _ in order.append("10ms-b") }
                loop.schedule(at: start + .milliseconds(30)) { _ in order.append("30ms") }
                loop.schedule(at: start) { _ in order.append("now") }
                let cancelledOnce = loop.cancel(doomed)
                let cancelledTwice = loop.cancel(doomed)
                order.append("cancel:\(cancelledOnce),\(cancelledTwice)")
                loop.schedule(at: start + .milliseconds(60)) { loop in
                    // A timer never fires before its deadline.
                    order.append("not-early:\(loop.now >= start + .milliseconds(60))")
                    finish(order)
                }
            }
        }
        #expect(fired == ["cancel:true,false", "now", "10ms-a", "10ms-b", "30ms", "40ms", "not-early:true"])
    }

    @Test func cancellingAFiredTimerReportsFalse() async throws {
        let result = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Bool) -> Void) in
                let first = loop.schedule(after: .milliseconds(1)) { _ in }
                loop.schedule(after: .milliseconds(5)) { loop in finish(loop.cancel(first)) }
            }
        }
        #expect(result == false)
    }

    /// The indexed heap against a sorted reference, with interleaved cancels.
    @Test func heapPopsInDeadlineThenInsertionOrder() {
        var heap = TimerHeap<Int>()
        var generator = SplitMix(seed: 7)
        var entries: [(deadline: UInt64, label: Int, id: TimerID)] = []
        for label in 0..<500 {
            let deadline = generator.next() % 1000
            let id = heap.insert(deadline: MonotonicInstant(nanoseconds: Int64(deadline)), payload: label)
            entries.append((deadline, label, id))
        }
        var cancelled = Set<Int>()
        for entry in entries where generator.next() % 3 == 0 {
            let removed = heap.cancel(entry.id)
            #expect(removed)
            cancelled.insert(entry.label)
        }
        // Re-inserting after cancels reuses slots; the old IDs must stay dead.
        for entry in entries where cancelled.contains(entry.label) {
            let removedAgain = heap.cancel(entry.id)
            #expect(removedAgain == false)
        }
        let reference = entries
            .filter { !cancelled.contains($0.label) }
            .sorted { ($0.deadline, $0.label) < ($1.deadline, $1.label) }
        // Only deadlines <= 499 are due at 499.
        var popped: [Int] = []
        while let label = heap.popExpired(now: MonotonicInstant(nanoseconds: 499)) { popped.append(label) }
        #expect(popped == reference.filter { $0.deadline <= 499 }.map(\.label))
        while let label = heap.popExpired(now: MonotonicInstant(nanoseconds: 999)) { popped.append(label) }
        #expect(popped == reference.map(\.label))
        #expect(heap.count == 0)
        #expect(heap.nextDeadline == nil)
    }
}
