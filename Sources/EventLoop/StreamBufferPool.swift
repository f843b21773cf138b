/// Recycles `StreamBuffer`s between connections on one loop, so steady-state
/// stream writes do not allocate. A connection borrows a buffer only while it
/// has unsent output; buffers that grew far beyond the default are freed
/// instead of kept, so one large push-pull does not pin memory.
final class StreamBufferPool {
    static let bufferCapacity = 64 * 1024
    static let maxPooled = 64
    private var free: [StreamBuffer] = []

    func take() -> StreamBuffer {
        free.popLast() ?? StreamBuffer(capacity: Self.bufferCapacity)
    }

    func give(_ buffer: StreamBuffer) {
        guard free.count < Self.maxPooled, buffer.capacity <= 4 * Self.bufferCapacity else { return }
        buffer.reset()
        free.append(buffer)
    }
}
