import CShims
import Glibc

/// Delivers signals to loop callbacks through one signalfd (ARCHITECTURE.md:
/// signals are handled on the loop, not in async-signal context).
///
/// Each registered signal is blocked in the loop thread so that it stays
/// pending for the signalfd; see `EventLoop.onSignal` for the caveat about
/// other threads.
final class SignalSource {
    private var fd: Int32
    private var watch: EventLoop.Watch?
    private var handlers: [Int32: [(Int32) -> Void]] = [:]
    private var signals: [Int32] = []

    init(loop: EventLoop) throws(SystemError) {
        fd = try retryingInterrupts("signalfd") { cshims_signalfd(-1, nil, 0) }
        let fd = self.fd
        do {
            watch = try loop.register(fd, interest: .read, handler: { [unowned self] _ in
                self.drain()
            }, onShutdown: nil)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit {
        Glibc.close(fd)
    }

    func add(_ signal: Int32, handler: @escaping (Int32) -> Void) throws(SystemError) {
        if !signals.contains(signal) {
            let blocked = cshims_block_signal(signal)
            if blocked != 0 { throw SystemError(syscall: "pthread_sigmask", errno: blocked) }
            signals.append(signal)
            let current = fd
            _ = try signals.withUnsafeBufferPointer { buffer throws(SystemError) in
                try retryingInterrupts("signalfd") {
                    cshims_signalfd(current, buffer.baseAddress, Int32(buffer.count))
                }
            }
        }
        handlers[signal, default: []].append(handler)
    }

    private func drain() {
        while true {
            let signal = cshims_signalfd_read(fd)
            if signal < 0 && cshims_errno() == EINTR { continue }
            guard signal > 0 else { return }
            for handler in handlers[signal] ?? [] { handler(signal) }
        }
    }
}
