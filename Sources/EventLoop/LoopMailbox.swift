import CShims
import Glibc
import Synchronization

/// The one way other threads hand messages to a loop (ARCHITECTURE.md: other
/// threads "hand work to it through an eventfd-woken queue"): a
/// mutex-protected queue plus an eventfd the loop watches.
///
/// Any thread may ``post(_:)``; the loop thread takes everything queued in one
/// batch with ``take(into:)`` (swapping arrays, so a reused buffer keeps its
/// capacity and nothing is allocated per batch). The eventfd is written only
/// when the queue goes from empty to non-empty; the loop drains the counter
/// before taking the queue, so no wake-up is lost. ``close()`` refuses later
/// posts, closes the eventfd and returns what was never taken.
/// ``EventLoopHandle`` queues its jobs here; a node queues its commands here
/// and receives them with ``EventLoop/receive(from:_:)``.
public final class LoopMailbox<Message: Sendable>: Sendable {
    private struct State {
        var messages: [Message] = []
        var isOpen = true
    }

    private let state = Mutex(State())
    /// Readable (counter non-zero) while messages wait; closed by ``close()``.
    let wakeFD: Int32

    /// Creates the mailbox and its eventfd.
    public convenience init() throws(SystemError) {
        let fd = try retryingInterrupts("eventfd") { cshims_eventfd_create() }
        self.init(wakeFD: fd)
    }

    init(wakeFD: Int32) { self.wakeFD = wakeFD }

    deinit {
        state.withLock { state in
            if state.isOpen { Glibc.close(wakeFD) }
        }
    }

    /// Queues `message` for the loop; false (message dropped) once closed.
    @discardableResult
    public func post(_ message: Message) -> Bool {
        state.withLock { state in
            guard state.isOpen else { return false }
            let wasEmpty = state.messages.isEmpty
            state.messages.append(message)
            // Non-blocking; EAGAIN only if the counter is saturated, which
            // still leaves the loop woken.
            if wasEmpty { _ = cshims_eventfd_signal(wakeFD) }
            return true
        }
    }

    /// Moves every queued message into `buffer`, which must be empty (keep
    /// it between calls: its capacity is reused). Loop thread only.
    public func take(into buffer: inout [Message]) {
        _ = cshims_eventfd_drain(wakeFD)
        state.withLock { state in swap(&state.messages, &buffer) }
    }

    /// Refuses further posts, closes the eventfd (stop watching it first) and
    /// returns the messages never taken. Later calls return nothing.
    public func close() -> [Message] {
        state.withLock { state in
            guard state.isOpen else { return [] }
            state.isOpen = false
            Glibc.close(wakeFD)
            let leftovers = state.messages
            state.messages = []
            return leftovers
        }
    }

    /// True until ``close()``.
    public var isOpen: Bool { state.withLock { $0.isOpen } }
}

extension EventLoop {
    /// Watches `mailbox` and hands each message to `deliver` on this loop, in
    /// posting order, batch by batch through one reused buffer. Unwatch the
    /// returned watch before closing the mailbox.
    public func receive<Message>(
        from mailbox: LoopMailbox<Message>, _ deliver: @escaping (Message) -> Void
    ) throws(SystemError) -> Watch {
        var batch: [Message] = []
        return try watch(mailbox.wakeFD, interest: .read) { _ in
            mailbox.take(into: &batch)
            for message in batch { deliver(message) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
