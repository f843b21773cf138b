import Glibc

/// A growable byte queue for a connection's unsent output (ARCHITECTURE.md:
/// "per-connection stream buffers from a pool").
///
/// Bytes are appended at the tail and consumed from the head; the live region
/// is moved to the front only when the tail runs out of room.
final class StreamBuffer {
    private(set) var storage: UnsafeMutableRawBufferPointer
    private var head = 0
    private var tail = 0

    init(capacity: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var count: Int { tail - head }
    var isEmpty: Bool { head == tail }
    var capacity: Int { storage.count }

    /// The unsent bytes, valid until the next mutation.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[head..<tail])
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if storage.count - tail < bytes.count { makeRoom(for: bytes.count) }
        UnsafeMutableRawBufferPointer(rebasing: storage[tail..<(tail + bytes.count)]).copyMemory(from: bytes)
        tail += bytes.count
    }

    func consume(_ count: Int) {
        head += min(count, self.count)
        if head == tail { head = 0; tail = 0 }
    }

    func reset() { head = 0; tail = 0 }

    private func makeRoom(for extra: Int) {
        let live = count
        if storage.count - live >= extra, head > 0 {
            // Enough space overall: slide the live bytes to the front.
            if live > 0, let base = storage.baseAddress { memmove(base, base + head, live) }
        } else {
            var newCapacity = max(storage.count, 1)
            while newCapacity - live < extra { newCapacity *= 2 }
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: newCapacity, alignment: 16)
            if live > 0 {
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[head..<tail]))
            }
            storage.deallocate()
            storage = grown
        }
        head = 0
        tail = live
    }
}
