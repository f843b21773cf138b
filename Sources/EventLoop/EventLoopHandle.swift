import CShims
import Glibc
import Synchronization

/// The only part of an event loop other threads may touch (ARCHITECTURE.md:
/// "Other threads ... hand work to it through an eventfd-woken queue").
///
/// Queues `@Sendable` jobs in a ``LoopMailbox`` whose eventfd wakes the loop.
/// Jobs run on the loop thread, in submission order, and receive the loop
/// itself, which never leaves that thread.
public final class EventLoopHandle: Sendable {
    /// A unit of work handed to the loop from any thread.
    public typealias Job = @Sendable (EventLoop) -> Void

    private struct State {
        var thread: pthread_t?
        var exitError: SystemError?
    }

    private let state = Mutex(State())
    private let jobs: LoopMailbox<Job>
    /// The eventfd that wakes `epoll_wait`; closed when the loop stops.
    var wakeFD: Int32 { jobs.wakeFD }

    init(wakeFD: Int32) { jobs = LoopMailbox(wakeFD: wakeFD) }

    /// Queues `job` to run on the loop thread. Returns false (and drops the job)
    /// once the loop has shut down.
    @discardableResult
    public func execute(_ job: @escaping Job) -> Bool {
        jobs.post(job)
    }

    /// Runs `body` on the loop thread and returns its result to the caller.
    public func submit<Result: Sendable>(
        _ body: @escaping @Sendable (EventLoop) throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let queued = execute { loop in
                do { continuation.resume(returning: try body(loop)) } catch { continuation.resume(throwing: error) }
            }
            if !queued { continuation.resume(throwing: EventLoopError.shutDown) }
        }
    }

    /// Asks the loop to stop after its current iteration; resources it owns are closed.
    public func stop() {
        execute { $0.stop() }
    }

    /// Waits until a loop started with `EventLoop.startThread` has exited. Never
    /// call it on the loop thread itself. Returns the error that ended the loop, if any.
    @discardableResult
    public func join() -> SystemError? {
        let thread = state.withLock { state in
            let thread = state.thread
            state.thread = nil
            return thread
        }
        if let thread { pthread_join(thread, nil) }
        return state.withLock { $0.exitError }
    }

    /// True until the loop shuts down.
    public var isRunning: Bool { jobs.isOpen }

    // MARK: loop side

    /// Moves queued jobs into `buffer` (reused across calls). Loop thread only.
    func takeJobs(into buffer: inout [Job]) {
        jobs.take(into: &buffer)
    }

    /// Marks the loop closed, closes the eventfd and returns the jobs still queued.
    func close(exitError: SystemError?) -> [Job] {
        guard jobs.isOpen else { return [] }
        state.withLock { $0.exitError = exitError }
        return jobs.close()
    }

    func recordThread(_ thread: pthread_t) {
        state.withLock { $0.thread = thread }
    }
}
