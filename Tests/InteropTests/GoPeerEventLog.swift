import Foundation
import Synchronization

/// Errors the Go peer harness reports.
enum GoPeerError: Error, CustomStringConvertible {
    case buildFailed(String)
    case launchFailed(String)
    case timedOut(waitingFor: String, peer: String, recent: [String], stderrTail: String)
    case exited(waitingFor: String, peer: String, recent: [String], stderrTail: String)
    case commandFailed(peer: String, command: String, reply: String)

    var description: String {
        switch self {
        case .buildFailed(let output): "building the Go peers failed:\n\(output)"
        case .launchFailed(let reason): "launching the Go peer failed: \(reason)"
        case .timedOut(let what, let peer, let recent, let stderr):
            "timed out waiting for \(what) on Go peer \(peer); last events:\n\(recent.joined(separator: "\n"))\nstderr tail:\n\(stderr)"
        case .exited(let what, let peer, let recent, let stderr):
            "Go peer \(peer) exited while waiting for \(what); last events:\n\(recent.joined(separator: "\n"))\nstderr tail:\n\(stderr)"
        case .commandFailed(let peer, let command, let reply): "Go peer \(peer): `\(command)` failed: \(reply)"
        }
    }
}

/// Everything a Go peer printed on stdout, plus waiters for future lines.
/// Fed from a FileHandle callback; waited on from async tests.
final class GoPeerEventLog: Sendable {
    /// Why a wait ended without a matching event.
    enum WaitFailure: Error { case timedOut, exited }

    private struct Waiter {
        let from: Int
        let matches: @Sendable (GoPeerEvent) -> Bool
        let continuation: CheckedContinuation<GoPeerEvent, any Error>
    }

    private struct State {
        var events: [GoPeerEvent] = []
        var pending = Data()
        var waiters: [UInt64: Waiter] = [:]
        var expired: Set<UInt64> = []
        var nextID: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// Number of events so far; pass it as `from` to wait only for newer ones.
    var count: Int { state.withLock { $0.events.count } }

    /// The last `n` raw lines, for error messages.
    func recent(_ n: Int = 20) -> [String] {
        state.withLock { $0.events.suffix(n).map(\.line) }
    }

    /// The first event so far that matches.
    func first(where predicate: (GoPeerEvent) -> Bool) -> GoPeerEvent? {
        state.withLock { $0.events.first(where: predicate) }
    }

    /// Every event so far that matches, oldest first.
    func all(where predicate: (GoPeerEvent) -> Bool) -> [GoPeerEvent] {
        state.withLock { $0.events.filter(predicate) }
    }

    /// Appends raw stdout bytes; complete lines become events.
    func append(_ chunk: Data) {
        var ready: [(CheckedContinuation<GoPeerEvent, any Error>, GoPeerEvent)] = []
        state.withLock { s in
            s.pending.append(chunk)
            while let newline = s.pending.firstIndex(of: UInt8(ascii: "\n")) {
                let lineData = s.pending[s.pending.startIndex..<newline]
                s.pending.removeSubrange(s.pending.startIndex...newline)
                guard let line = String(data: lineData, encoding: .utf8),
                      let event = GoPeerEvent.parse(line) else { continue }
                let index = s.events.count
                s.events.append(event)
                for (id, waiter) in s.waiters where waiter.from <= index && waiter.matches(event) {
                    s.waiters[id] = nil
                    ready.append((waiter.continuation, event))
                }
            }
        }
        for (continuation, event) in ready { continuation.resume(returning: event) }
    }

    /// End of output: every pending and future wait fails.
    func close() {
        let waiters = state.withLock { s in
            s.closed = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: WaitFailure.exited) }
    }

    /// The first event at index >= `from` that matches, waiting up to `timeout`.
    func wait(
        from: Int, timeout: Duration, matching matches: @escaping @Sendable (GoPeerEvent) -> Bool
    ) async throws -> GoPeerEvent {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.expire(id)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<GoPeerEvent, any Error>? = state.withLock { s in
                if from < s.events.count, let event = s.events[from...].first(where: matches) {
                    return .success(event)
                }
                if s.closed { return .failure(WaitFailure.exited) }
                if s.expired.remove(id) != nil { return .failure(WaitFailure.timedOut) }
                s.waiters[id] = Waiter(from: from, matches: matches, continuation: continuation)
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    private func expire(_ id: UInt64) {
        let waiter = state.withLock { s in
            guard let waiter = s.waiters.removeValue(forKey: id) else {
                s.expired.insert(id)
                return Waiter?.none
            }
            return waiter
        }
        waiter?.continuation.resume(throwing: WaitFailure.timedOut)
    }
}
