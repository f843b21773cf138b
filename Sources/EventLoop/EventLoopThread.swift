import CShims
import Glibc

/// What a freshly spawned loop thread needs: only `Sendable` values cross.
private final class LoopThreadStart: Sendable {
    let epollFD: Int32
    let handle: EventLoopHandle
    let name: String

    init(epollFD: Int32, handle: EventLoopHandle, name: String) {
        self.epollFD = epollFD
        self.handle = handle
        self.name = name
    }
}

extension EventLoop {
    /// Starts a dedicated thread that creates an `EventLoop` and runs it until
    /// stopped. The loop object never leaves that thread; the caller gets its
    /// handle. Use `handle.execute`/`handle.submit` to set it up, `handle.stop()`
    /// and `handle.join()` to end it.
    public static func startThread(name: String = "event-loop") throws(EventLoopError) -> EventLoopHandle {
        let (epollFD, handle) = try makeKernelObjects()
        let start = LoopThreadStart(epollFD: epollFD, handle: handle, name: name)
        let context = Unmanaged.passRetained(start).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let start = Unmanaged<LoopThreadStart>.fromOpaque(raw).takeRetainedValue()
            _ = cshims_set_thread_name(String(start.name.prefix(15)))
            let loop = EventLoop(epollFD: start.epollFD, handle: start.handle)
            try? loop.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<LoopThreadStart>.fromOpaque(context).release()
            _ = handle.close(exitError: nil)
            Glibc.close(epollFD)
            throw .system(SystemError(syscall: "pthread_create", errno: result))
        }
        handle.recordThread(thread)
        return handle
    }
}
