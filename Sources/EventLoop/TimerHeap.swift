import MonotonicTime

/// Pending timers ordered by (deadline, scheduling order): an indexed binary
/// min-heap, so cancel removes the entry at once instead of leaving tombstones
/// (connection deadlines are set and cancelled constantly).
///
/// Slots are recycled through a free list; a generation counter makes old
/// `TimerID`s miss. Timers with equal deadlines fire in the order scheduled.
struct TimerHeap<Payload> {
    private struct Slot {
        var deadline: MonotonicInstant
        var sequence: UInt64
        var heapIndex: Int
        var generation: UInt32
        var payload: Payload?
    }

    private var slots: [Slot] = []
    private var freeSlots: [Int32] = []
    private var heap: [Int32] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    /// The earliest deadline, if any timer is pending.
    var nextDeadline: MonotonicInstant? {
        heap.first.map { slots[Int($0)].deadline }
    }

    mutating func insert(deadline: MonotonicInstant, payload: Payload) -> TimerID {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = Int32(slots.count)
            slots.append(Slot(deadline: deadline, sequence: 0, heapIndex: -1, generation: 0, payload: nil))
        }
        let index = Int(slot)
        slots[index].deadline = deadline
        slots[index].sequence = nextSequence
        nextSequence &+= 1
        slots[index].payload = payload
        slots[index].heapIndex = heap.count
        heap.append(slot)
        siftUp(heap.count - 1)
        return TimerID(slot: slot, generation: slots[index].generation)
    }

    /// Removes a pending timer; false when it already fired or was cancelled.
    mutating func cancel(_ id: TimerID) -> Bool {
        let index = Int(id.slot)
        guard index >= 0, index < slots.count,
              slots[index].generation == id.generation,
              slots[index].heapIndex >= 0 else { return false }
        remove(atHeapIndex: slots[index].heapIndex)
        return true
    }

    /// Pops the earliest timer if its deadline is at or before `now`.
    mutating func popExpired(now: MonotonicInstant) -> Payload? {
        guard let top = heap.first, slots[Int(top)].deadline <= now else { return nil }
        let payload = slots[Int(top)].payload
        remove(atHeapIndex: 0)
        return payload
    }

    mutating func removeAll() {
        for slot in heap { release(Int(slot)) }
        heap.removeAll()
    }

    private mutating func remove(atHeapIndex position: Int) {
        let slot = Int(heap[position])
        let last = heap.count - 1
        if position != last {
            heap.swapAt(position, last)
            slots[Int(heap[position])].heapIndex = position
        }
        heap.removeLast()
        release(slot)
        if position < heap.count {
            siftDown(position)
            siftUp(position)
        }
    }

    private mutating func release(_ slot: Int) {
        slots[slot].heapIndex = -1
        slots[slot].payload = nil
        slots[slot].generation &+= 1
        freeSlots.append(Int32(slot))
    }

    private func precedes(_ a: Int32, _ b: Int32) -> Bool {
        let lhs = slots[Int(a)], rhs = slots[Int(b)]
        if lhs.deadline != rhs.deadline { return lhs.deadline < rhs.deadline }
        return lhs.sequence < rhs.sequence
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { break }
            swapEntries(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var best = left
            let right = left + 1
            if right < heap.count, precedes(heap[right], heap[left]) { best = right }
            guard precedes(heap[best], heap[parent]) else { return }
            swapEntries(parent, best)
            parent = best
        }
    }

    private mutating func swapEntries(_ i: Int, _ j: Int) {
        heap.swapAt(i, j)
        slots[Int(heap[i])].heapIndex = i
        slots[Int(heap[j])].heapIndex = j
    }
}
