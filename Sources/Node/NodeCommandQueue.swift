import CShims
import Glibc
import Synchronization

/// A thread-safe queue of `NodeCommand`s plus an eventfd the node watches on
/// its loop: the node's own door for other threads, so no thread ever needs a
/// reference to the loop-confined node (ARCHITECTURE.md: other threads "hand
/// work to it through an eventfd-woken queue").
final class NodeCommandQueue: Sendable {
    private let commands = Mutex<(items: [NodeCommand], open: Bool)>(([], true))
    /// Written when the queue goes from empty to non-empty; read by the loop.
    let eventFD: Int32

    init() throws(NodeError) {
        let fd = cshims_eventfd_create()
        guard fd >= 0 else { throw .membership("eventfd: errno \(errno)") }
        eventFD = fd
    }

    deinit { Glibc.close(eventFD) }

    /// Queues `command`; false once the node has shut down.
    @discardableResult
    func post(_ command: NodeCommand) -> Bool {
        commands.withLock { state in
            guard state.open else { return false }
            if state.items.isEmpty { _ = cshims_eventfd_signal(eventFD) }
            state.items.append(command)
            return true
        }
    }

    /// Takes every queued command (loop side).
    func take(into buffer: inout [NodeCommand]) {
        _ = cshims_eventfd_drain(eventFD)
        commands.withLock { state in swap(&state.items, &buffer) }
    }

    /// Refuses further commands and returns those still queued.
    func close() -> [NodeCommand] {
        commands.withLock { state in
            state.open = false
            let left = state.items
            state.items = []
            return left
        }
    }
}
