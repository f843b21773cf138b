/// # The event loop (ARCHITECTURE.md, "The event loop owns the hot path")
///
/// One thread runs `epoll_wait` and owns everything the loop touches: every
/// file descriptor (sockets, the eventfd, the signalfd), every timer, every
/// buffer and whatever state the callbacks close over. `EventLoop` is a
/// non-`Sendable` class, so the Swift 6 checker keeps it on that thread; no lock
/// guards its state and none is needed.
///
/// Other threads reach it only through its `Sendable` ``EventLoopHandle``: a
/// mutex-protected job queue plus an eventfd. A job receives the loop as its
/// parameter when it runs on the loop thread. Callbacks (timers, IO, signals)
/// also run on the loop thread and must not block: no blocking connect, no DNS,
/// no sleeping.
///
/// Epoll is level-triggered. Timers live in a heap on CLOCK_MONOTONIC and bound
/// the `epoll_wait` timeout (rounded up to whole milliseconds, so a timer never
/// fires early). The loop ignores SIGPIPE process-wide so that a write to a
/// reset socket (including OpenSSL's own writes) reports EPIPE instead of
/// killing the process.
///
/// Two ways to run one: ``EventLoop/startThread(name:)`` spawns a dedicated
/// thread and returns its handle; or create an `EventLoop` on the current thread
/// and call ``run()`` (what `main` does).
import CShims
import Glibc
import MonotonicTime

public final class EventLoop {
    /// The thread-safe side of this loop.
    public let handle: EventLoopHandle

    private let epollFD: Int32
    private var registrations: [Int32: Registration] = [:]
    private var nextGeneration: UInt32 = 1
    private var timers = TimerHeap<TimerCallback>()
    private var soon: [(EventLoop) -> Void] = []
    private var soonSpare: [(EventLoop) -> Void] = []
    private var jobBuffer: [EventLoopHandle.Job] = []
    private var stopRequested = false
    private var state: LifeState = .idle
    private var signalSource: SignalSource?
    /// Shared scratch space for stream reads: data is handed to callbacks as a
    /// view and never outlives them, so one buffer serves every connection.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Receive slab shared by every UDP socket of this loop, built on first bind.
    var udpSlab: UDPReceiveSlab?
    /// Outbound stream buffers recycled between connections.
    let streamBuffers = StreamBufferPool()

    private enum LifeState { case idle, running, closed }

    /// A timer's closure inside a concrete struct: stored directly as the
    /// generic heap's payload, a bare function value would be re-abstracted
    /// into a newly allocated thunk on every `schedule`; wrapped, a closure the
    /// caller keeps and passes again is only retained (issue #4).
    private struct TimerCallback {
        let run: (EventLoop) -> Void
    }

    private struct Registration {
        var generation: UInt32
        var interest: IOInterest
        var handler: (IOEvents) -> Void
        var onShutdown: (() -> Void)?
    }

    /// The epoll token reserved for the handle's eventfd.
    private static let wakeToken = UInt64.max
    /// Size of the shared stream read buffer.
    static let readBufferSize = 65_536

    /// Creates a loop owned by the calling thread; run it with ``run()``.
    public convenience init() throws(EventLoopError) {
        let (epollFD, handle) = try Self.makeKernelObjects()
        self.init(epollFD: epollFD, handle: handle)
    }

    init(epollFD: Int32, handle: EventLoopHandle) {
        self.epollFD = epollFD
        self.handle = handle
        self.readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferSize, alignment: 16)
        _ = cshims_ignore_signal(SIGPIPE)
    }

    deinit {
        readBuffer.deallocate()
        if state != .closed {
            _ = handle.close(exitError: nil)
            Glibc.close(epollFD)
        }
    }

    /// Creates the epoll instance and the handle's eventfd, already registered.
    static func makeKernelObjects() throws(EventLoopError) -> (Int32, EventLoopHandle) {
        do throws(SystemError) {
            let epollFD = try retryingInterrupts("epoll_create1") { cshims_epoll_create() }
            let wakeFD: Int32
            do {
                wakeFD = try retryingInterrupts("eventfd") { cshims_eventfd_create() }
            } catch {
                Glibc.close(epollFD)
                throw error
            }
            do {
                _ = try retryingInterrupts("epoll_ctl") {
                    cshims_epoll_ctl(epollFD, CSHIMS_EPOLL_CTL_ADD, wakeFD, CSHIMS_EPOLLIN, wakeToken)
                }
            } catch {
                Glibc.close(epollFD)
                Glibc.close(wakeFD)
                throw error
            }
            return (epollFD, EventLoopHandle(wakeFD: wakeFD))
        } catch {
            throw .system(error)
        }
    }

    // MARK: running

    /// Runs until ``stop()``, then closes every resource the loop owns and
    /// shuts the handle (later jobs are refused). Runs at most once.
    public func run() throws(SystemError) {
        guard state == .idle else { return }
        state = .running
        var failure: SystemError?
        do {
            try runIterations()
        } catch {
            failure = error
        }
        shutDown(exitError: failure)
        if let failure { throw failure }
    }

    /// Asks ``run()`` to return after the current iteration.
    public func stop() { stopRequested = true }

    /// CLOCK_MONOTONIC now.
    public var now: MonotonicInstant { .now() }

    private func runIterations() throws(SystemError) {
        var tokens = [UInt64](repeating: 0, count: 64)
        var masks = [UInt32](repeating: 0, count: 64)
        while !stopRequested {
            let timeout = waitTimeoutMilliseconds()
            let count = try tokens.withUnsafeMutableBufferPointer { tokenBuffer throws(SystemError) in
                try masks.withUnsafeMutableBufferPointer { maskBuffer throws(SystemError) in
                    let result = cshims_epoll_wait(
                        epollFD, tokenBuffer.baseAddress, maskBuffer.baseAddress, 64, timeout)
                    if result >= 0 { return result }
                    let code = cshims_errno()
                    // EINTR: go round again with a freshly computed timeout.
                    if code == EINTR { return 0 }
                    throw SystemError(syscall: "epoll_wait", errno: code)
                }
            }
            for index in 0..<Int(count) {
                dispatch(token: tokens[index], mask: masks[index])
            }
            runExpiredTimers()
            runSoonQueue()
        }
    }

    private func waitTimeoutMilliseconds() -> Int32 {
        if !soon.isEmpty || stopRequested { return 0 }
        guard let deadline = timers.nextDeadline else { return -1 }
        let current = MonotonicInstant.now()
        guard deadline > current else { return 0 }
        let nanos = deadline.nanoseconds - current.nanoseconds
        let millis = (nanos + 999_999) / 1_000_000
        return Int32(clamping: millis)
    }

    private func dispatch(token: UInt64, mask: UInt32) {
        if token == Self.wakeToken {
            handle.takeJobs(into: &jobBuffer)
            for job in jobBuffer { job(self) }
            jobBuffer.removeAll(keepingCapacity: true)
            return
        }
        let fd = Int32(truncatingIfNeeded: token & 0xFFFF_FFFF)
        let generation = UInt32(truncatingIfNeeded: token >> 32)
        // A descriptor closed earlier in this batch (and maybe reused) is skipped.
        guard let registration = registrations[fd], registration.generation == generation else { return }
        registration.handler(IOEvents(epollMask: mask))
    }

    private func runExpiredTimers() {
        guard timers.count > 0 else { return }
        let current = MonotonicInstant.now()
        while let callback = timers.popExpired(now: current) {
            callback.run(self)
        }
    }

    private func runSoonQueue() {
        guard !soon.isEmpty else { return }
        swap(&soon, &soonSpare)
        for task in soonSpare { task(self) }
        soonSpare.removeAll(keepingCapacity: true)
    }

    private func shutDown(exitError: SystemError?) {
        stopRequested = true
        // Jobs that raced with shutdown still run, so `submit` callers are answered.
        for job in handle.close(exitError: exitError) { job(self) }
        for (_, registration) in registrations {
            registration.onShutdown?()
        }
        registrations.removeAll()
        timers.removeAll()
        soon.removeAll()
        signalSource = nil
        Glibc.close(epollFD)
        state = .closed
    }

    // MARK: work and timers

    /// Runs `task` on this loop after the events currently being handled.
    public func execute(_ task: @escaping (EventLoop) -> Void) {
        soon.append(task)
    }

    /// Calls `callback` on the loop once `deadline` has passed.
    @discardableResult
    public func schedule(at deadline: MonotonicInstant, _ callback: @escaping (EventLoop) -> Void) -> TimerID {
        timers.insert(deadline: deadline, payload: TimerCallback(run: callback))
    }

    /// Calls `callback` on the loop after `delay`.
    @discardableResult
    public func schedule(after delay: Duration, _ callback: @escaping (EventLoop) -> Void) -> TimerID {
        timers.insert(deadline: MonotonicInstant.now().advanced(by: delay), payload: TimerCallback(run: callback))
    }

    /// Cancels a pending timer; false when it already fired or was cancelled.
    @discardableResult
    public func cancel(_ timer: TimerID) -> Bool {
        timers.cancel(timer)
    }

    // MARK: descriptors

    /// A descriptor registered with ``watch(_:interest:handler:)``.
    public struct Watch: Hashable, Sendable {
        public let fd: Int32
        let generation: UInt32
    }

    /// Watches `fd` (level-triggered) and calls `handler` on the loop with its
    /// readiness. The loop does not own or close `fd`; call ``unwatch(_:)``
    /// before closing it. (Used for descriptors the loop does not own, such as the node's command-queue eventfd.)
    public func watch(
        _ fd: Int32, interest: IOInterest, handler: @escaping (IOEvents) -> Void
    ) throws(SystemError) -> Watch {
        try register(fd, interest: interest, handler: handler, onShutdown: nil)
    }

    /// Changes what a watched descriptor wakes the loop for.
    public func setInterest(_ interest: IOInterest, for watch: Watch) throws(SystemError) {
        guard var registration = registrations[watch.fd], registration.generation == watch.generation else { return }
        guard registration.interest != interest else { return }
        let token = UInt64(watch.generation) << 32 | UInt64(UInt32(bitPattern: watch.fd))
        _ = try retryingInterrupts("epoll_ctl") {
            cshims_epoll_ctl(epollFD, CSHIMS_EPOLL_CTL_MOD, watch.fd, interest.epollMask, token)
        }
        registration.interest = interest
        registrations[watch.fd] = registration
    }

    /// Stops watching; pending events for it in this iteration are dropped.
    public func unwatch(_ watch: Watch) {
        guard let registration = registrations[watch.fd], registration.generation == watch.generation else { return }
        registrations[watch.fd] = nil
        _ = cshims_epoll_ctl(epollFD, CSHIMS_EPOLL_CTL_DEL, watch.fd, 0, 0)
    }

    /// Registers a descriptor; `onShutdown` runs if the loop stops while it is
    /// still registered (owners close their descriptor there).
    func register(
        _ fd: Int32, interest: IOInterest, handler: @escaping (IOEvents) -> Void, onShutdown: (() -> Void)?
    ) throws(SystemError) -> Watch {
        let generation = nextGeneration
        nextGeneration = nextGeneration == UInt32.max ? 1 : nextGeneration + 1
        let token = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
        _ = try retryingInterrupts("epoll_ctl") {
            cshims_epoll_ctl(epollFD, CSHIMS_EPOLL_CTL_ADD, fd, interest.epollMask, token)
        }
        registrations[fd] = Registration(
            generation: generation, interest: interest, handler: handler, onShutdown: onShutdown)
        return Watch(fd: fd, generation: generation)
    }

    // MARK: signals

    /// Calls `handler` on the loop whenever `signal` arrives, via signalfd.
    ///
    /// The signal is blocked in the loop thread here. Threading caveat: a
    /// process-directed signal goes to any thread that does not block it, so
    /// the signal must be blocked in EVERY thread or it is handled by its
    /// default action elsewhere. Call ``blockSignals(_:)`` on the main thread
    /// before any other thread starts (threads inherit the mask).
    public func onSignal(_ signal: Int32, _ handler: @escaping (Int32) -> Void) throws(SystemError) {
        if signalSource == nil {
            signalSource = try SignalSource(loop: self)
        }
        try signalSource?.add(signal, handler: handler)
    }

    /// Blocks `signals` in the calling thread (and so in threads it starts
    /// later), so that they wait for a loop's signalfd instead of running
    /// default actions. Call it early in `main`.
    public static func blockSignals(_ signals: [Int32]) throws(SystemError) {
        for signal in signals {
            let result = cshims_block_signal(signal)
            if result != 0 { throw SystemError(syscall: "pthread_sigmask", errno: result) }
        }
    }
}
