/// The simulator's agenda: a binary min-heap ordered by (time, sequence).
///
/// The sequence number is assigned on insertion, so events due at the same
/// instant run in the order they were scheduled; together with the seeded
/// generator this makes a run a pure function of its seed. Payloads live in a
/// slab beside the heap so sifting moves 24-byte keys, not whole messages.
public struct EventQueue<Payload> {
    struct Key {
        var time: UInt64
        var sequence: UInt64
        var slot: Int

        func precedes(_ other: Key) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    var heap: [Key] = []
    var slab: [Payload?] = []
    var freeSlots: [Int] = []
    var nextSequence: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }

    /// When the earliest event is due, nil if the queue is empty.
    public var nextTime: VirtualInstant? {
        heap.first.map { VirtualInstant(nanoseconds: $0.time) }
    }

    public mutating func insert(_ payload: Payload, at time: VirtualInstant) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slab[free] = payload
            slot = free
        } else {
            slot = slab.count
            slab.append(payload)
        }
        heap.append(Key(time: time.nanoseconds, sequence: nextSequence, slot: slot))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest event.
    public mutating func popFirst() -> (time: VirtualInstant, payload: Payload)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        let payload = slab[first.slot]
        slab[first.slot] = nil
        freeSlots.append(first.slot)
        guard let payload else { return nil }
        return (VirtualInstant(nanoseconds: first.time), payload)
    }

    /// Drops every pending event.
    public mutating func removeAll() {
        heap.removeAll(keepingCapacity: true)
        slab.removeAll(keepingCapacity: true)
        freeSlots.removeAll(keepingCapacity: true)
    }

    mutating func siftUp(_ start: Int) {
        var child = start
        let key = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard key.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = key
    }

    mutating func siftDown(_ start: Int) {
        var parent = start
        let key = heap[parent]
        let count = heap.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && heap[child + 1].precedes(heap[child]) { child += 1 }
            guard heap[child].precedes(key) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = key
    }
}
