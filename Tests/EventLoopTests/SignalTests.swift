import CShims
import Glibc
import Testing
import EventLoop

@Suite struct SignalTests {
    /// A real SIGUSR1 raised with tgkill at the loop thread (where it is
    /// blocked) is read from the signalfd and reaches the handler on the loop.
    /// Thread-directed delivery keeps the test runner's other threads, which do
    /// not block SIGUSR1, out of it.
    @Test func signalArrivesThroughSignalfd() async throws {
        let (handlerThread, loopThread, signal) = try await withLoop { handle in
            let box = SignalResult()
            let loopThread = try await handle.submit { loop in
                try loop.onSignal(SIGUSR1) { signal in box.set(signal: signal, thread: cshims_gettid()) }
                return cshims_gettid()
            }
            #expect(cshims_thread_kill(loopThread, SIGUSR1) == 0)
            let (signal, thread) = await box.wait()
            return (thread, loopThread, signal)
        }
        #expect(signal == SIGUSR1)
        #expect(handlerThread == loopThread)
    }
}
