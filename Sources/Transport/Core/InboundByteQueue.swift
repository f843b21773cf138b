import Glibc

/// Bytes received on a connection and not yet consumed by the node's decoder
/// (so an incremental decoder can say "need more" and be called again).
///
/// Appends at the tail, consumes from the head; the live bytes slide to the
/// front only when the tail runs out of room, and the storage grows by
/// doubling up to `limit` (a hostile peer cannot make it grow further).
final class InboundByteQueue {
    private var storage: UnsafeMutableRawBufferPointer
    private var head = 0
    private var tail = 0
    /// The most bytes the queue will hold.
    let limit: Int

    init(initialCapacity: Int, limit: Int) {
        self.limit = max(limit, 1)
        storage = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, min(initialCapacity, self.limit)), alignment: 16)
    }

    deinit { storage.deallocate() }

    var count: Int { tail - head }
    var capacity: Int { storage.count }

    /// The unconsumed bytes; valid until the next append, consume or reset.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[head..<tail])
    }

    /// Appends `bytes`; false (and nothing appended) when that would exceed `limit`.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard bytes.count <= limit - count else { return false }
        if storage.count - tail < bytes.count { makeRoom(for: bytes.count) }
        UnsafeMutableRawBufferPointer(rebasing: storage[tail..<(tail + bytes.count)]).copyMemory(from: bytes)
        tail += bytes.count
        return true
    }

    /// Free space at the tail for a read of up to `preferred` bytes, made by
    /// sliding or growing (never past `limit`); nil when the queue already
    /// holds `limit` bytes. Follow a read into it with ``commit(_:)``.
    func writableTail(preferred: Int) -> UnsafeMutableRawBufferPointer? {
        let room = limit - count
        guard room > 0 else { return nil }
        let wanted = min(max(preferred, 1), room)
        if storage.count - tail < wanted { makeRoom(for: wanted) }
        let end = min(storage.count, tail + room)
        return UnsafeMutableRawBufferPointer(rebasing: storage[tail..<end])
    }

    /// Counts `written` bytes placed into ``writableTail(preferred:)`` as appended.
    func commit(_ written: Int) {
        tail += min(max(written, 0), storage.count - tail)
    }

    /// Drops the first `count` bytes (clamped to what is there).
    func consume(_ count: Int) {
        head += min(max(count, 0), self.count)
        if head == tail { head = 0; tail = 0 }
    }

    func reset() { head = 0; tail = 0 }

    private func makeRoom(for extra: Int) {
        let live = count
        if storage.count - live >= extra {
            if live > 0, let base = storage.baseAddress { memmove(base, base + head, live) }
        } else {
            var newCapacity = max(storage.count, 1)
            while newCapacity - live < extra { newCapacity = min(newCapacity * 2, limit) }
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: newCapacity, alignment: 16)
            if live > 0 { grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[head..<tail])) }
            storage.deallocate()
            storage = grown
        }
        head = 0
        tail = live
    }
}

/// Recycles inbound queues between short-lived connections (one dskit packet
/// per connection), so a steady packet rate does not allocate per packet.
final class InboundByteQueuePool {
    static let initialCapacity = 16 * 1024
    static let maxPooled = 32
    private var free: [InboundByteQueue] = []

    func take(limit: Int) -> InboundByteQueue {
        if let queue = free.popLast(), queue.limit == limit { return queue }
        return InboundByteQueue(initialCapacity: Self.initialCapacity, limit: limit)
    }

    /// Keeps `queue` for reuse unless the pool is full or it grew large.
    func give(_ queue: InboundByteQueue) {
        guard free.count < Self.maxPooled, queue.capacity <= 4 * Self.initialCapacity else { return }
        queue.reset()
        free.append(queue)
    }
}
