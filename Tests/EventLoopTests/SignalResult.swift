import Synchronization

/// Hands one (signal, thread) pair from a loop callback to an awaiting test.
final class SignalResult: Sendable {
    private struct State {
        var value: (Int32, Int32)?
        var waiter: CheckedContinuation<(Int32, Int32), Never>?
    }
    private let state = Mutex(State())

    func set(signal: Int32, thread: Int32) {
        let waiter = state.withLock { state -> CheckedContinuation<(Int32, Int32), Never>? in
            guard state.value == nil else { return nil }
            state.value = (signal, thread)
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: (signal, thread))
    }

    func wait() async -> (Int32, Int32) {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> (Int32, Int32)? in
                if let value = state.value { return value }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
