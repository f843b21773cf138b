import CShims
import Glibc

/// Reads newline-terminated text lines from a readable descriptor on the loop
/// (the daemon's stdin commands): the descriptor is made non-blocking and
/// watched, each readiness reads everything available into one reused chunk,
/// and every complete line (without its `\n`) goes to `onLine` in order. At
/// end of input (or a read error) the reader stops watching and calls `onEnd`;
/// a last line without `\n` is not delivered. The reader never closes the
/// descriptor (it does not own it).
public final class LineReader {
    private unowned let loop: EventLoop
    private let fd: Int32
    private let onLine: (String) -> Void
    private let onEnd: () -> Void
    private var watch: EventLoop.Watch?
    private var pending: [UInt8] = []
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)

    /// Starts watching `fd` (setting O_NONBLOCK on it).
    public init(
        loop: EventLoop, fd: Int32, onLine: @escaping (String) -> Void, onEnd: @escaping () -> Void = {}
    ) throws(SystemError) {
        self.loop = loop
        self.fd = fd
        self.onLine = onLine
        self.onEnd = onEnd
        // Every stored property is set, so a throw from here on runs deinit,
        // which frees `chunk` (freeing it here too was a double free).
        let flags = try retryingInterrupts("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
        _ = try retryingInterrupts("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        watch = try loop.watch(fd, interest: .read) { [unowned self] _ in self.readAvailable() }
    }

    deinit {
        stop()
        chunk.deallocate()
    }

    /// True until end of input or ``stop()``.
    public var isReading: Bool { watch != nil }

    /// Stops watching; no further callbacks.
    public func stop() {
        if let watch { loop.unwatch(watch) }
        watch = nil
    }

    private func readAvailable() {
        var ended = false
        while watch != nil {
            let count: Int?
            do {
                count = try nonBlocking("read") { Glibc.read(fd, chunk.baseAddress, chunk.count) }
            } catch {
                ended = true
                break
            }
            guard let count else { break }
            if count == 0 {
                ended = true
                break
            }
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
        if ended { stop() }
        deliverLines()
        if ended { onEnd() }
    }

    private func deliverLines() {
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[start..<newline], as: UTF8.self)
            start = newline + 1
            onLine(line)
        }
        pending.removeSubrange(0..<start)
    }
}
