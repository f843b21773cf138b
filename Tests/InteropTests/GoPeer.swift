import Foundation
import Synchronization

/// A real Go memberlist node (Interop/go/peer) running as a child process.
///
/// It prints JSON events (`GoPeerEvent`) on stdout and takes commands on
/// stdin. The process is always reaped: `terminate()`/`kill()` wait for it,
/// and `deinit` SIGKILLs and reaps one still running. Closing stdin (e.g.
/// because the test process died) makes the peer leave and exit by itself.
final class GoPeer: Sendable {
    let options: GoPeerOptions
    /// The name the peer runs under.
    var name: String { options.name }
    /// The advertised `ip:port` the peer reported in its `ready` event (it
    /// binds port 0 unless told otherwise, so this is where the port is known).
    var address: String { events.first { $0.event == "ready" }?.addr ?? "" }
    /// The port of `address`.
    var port: Int { address.split(separator: ":").last.flatMap { Int($0) } ?? 0 }

    private let process: Process
    private let stdin: FileHandle
    private let events: GoPeerEventLog
    private let stderrTail: SharedMutex<Data>
    private let exit: SharedMutex<ExitState>

    private struct ExitState {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    /// Default wait for events: generous, since CI shares two cores.
    static let defaultTimeout: Duration = .seconds(20)
    private static let stderrLimit = 64 * 1024

    /// Builds the Go programs once per test process, starts a peer and
    /// waits for its `ready` event.
    static func launch(_ options: GoPeerOptions, readyTimeout: Duration = defaultTimeout) async throws -> GoPeer {
        let peer = try GoPeer(options: options, executable: try GoPeerBinary.path())
        _ = try await peer.waitFor("ready", timeout: readyTimeout) { $0.event == "ready" }
        return peer
    }

    private init(options: GoPeerOptions, executable: String) throws {
        self.options = options
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = options.arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors

        let events = GoPeerEventLog()
        let stderrTail = SharedMutex(Data())
        let exit = SharedMutex(ExitState())
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            let waiters = exit.withLock { state in
                state.status = status
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
        do {
            try process.run()
        } catch {
            throw GoPeerError.launchFailed("\(executable): \(error)")
        }
        PipePump.start(output.fileHandleForReading, into: events.append, atEnd: events.close)
        PipePump.start(errors.fileHandleForReading, into: { chunk in
            stderrTail.withLock { tail in
                tail.append(chunk)
                if tail.count > GoPeer.stderrLimit { tail.removeFirst(tail.count - GoPeer.stderrLimit) }
            }
        }, atEnd: {})
        self.process = process
        self.stdin = input.fileHandleForWriting
        self.events = events
        self.stderrTail = stderrTail
        self.exit = exit
    }

    deinit {
        if exit.withLock({ $0.status == nil }) {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    // MARK: Events

    /// Index of the next event; pass to `waitFor(from:)` to skip older ones.
    var eventCount: Int { events.count }

    /// Waits for the first event (at index >= `from`) matching `predicate`.
    @discardableResult
    func waitFor(
        _ what: String, from: Int = 0, timeout: Duration = defaultTimeout,
        where predicate: @escaping @Sendable (GoPeerEvent) -> Bool
    ) async throws -> GoPeerEvent {
        do {
            return try await events.wait(from: from, timeout: timeout, matching: predicate)
        } catch GoPeerEventLog.WaitFailure.timedOut {
            throw GoPeerError.timedOut(waitingFor: what, peer: name, recent: events.recent(), stderrTail: stderrText(last: 4000))
        } catch GoPeerEventLog.WaitFailure.exited {
            throw GoPeerError.exited(waitingFor: what, peer: name, recent: events.recent(), stderrTail: stderrText(last: 4000))
        }
    }

    /// Waits for a join/leave/update event about `node` (optionally in `state`).
    @discardableResult
    func waitForEvent(
        _ kind: String, node: String, state: String? = nil, from: Int = 0, timeout: Duration = defaultTimeout
    ) async throws -> GoPeerEvent {
        try await waitFor("\(kind) of \(node)\(state.map { " as \($0)" } ?? "")", from: from, timeout: timeout) {
            $0.event == kind && $0.node == node && (state == nil || $0.state == state)
        }
    }

    /// Waits for the user message `payload` (each distinct payload is printed once).
    @discardableResult
    func waitForUserMessage(_ payload: String, timeout: Duration = defaultTimeout) async throws -> GoPeerEvent {
        try await waitFor("user message \"\(payload)\"", timeout: timeout) { $0.event == "user" && $0.payload == payload }
    }

    /// Waits for a user message with exactly these bytes.
    @discardableResult
    func waitForUserMessage(bytes: [UInt8], timeout: Duration = defaultTimeout) async throws -> GoPeerEvent {
        let expected = Data(bytes)
        return try await waitFor("user message of \(bytes.count) bytes", timeout: timeout) {
            $0.event == "user" && $0.payloadData == expected
        }
    }

    /// The last `n` event lines, for diagnostics.
    func recentEvents(_ n: Int = 20) -> [String] { events.recent(n) }

    /// Every event printed so far that matches `predicate`, oldest first.
    func eventsSoFar(where predicate: (GoPeerEvent) -> Bool) -> [GoPeerEvent] { events.all(where: predicate) }

    /// What the peer wrote on stderr (memberlist's log), last `last` bytes.
    func stderrText(last: Int = stderrLimit) -> String {
        stderrTail.withLock { String(decoding: $0.suffix(last), as: UTF8.self) }
    }

    // MARK: Commands

    /// Writes one command line to the peer's stdin.
    func send(_ command: String) throws {
        try stdin.write(contentsOf: Data((command + "\n").utf8))
    }

    /// Sends a command and waits for the first later event whose kind is in `kinds`.
    private func request(_ command: String, reply kinds: Set<String>, timeout: Duration) async throws -> GoPeerEvent {
        let start = eventCount
        try send(command)
        return try await waitFor("reply to `\(command)`", from: start, timeout: timeout) { kinds.contains($0.event) }
    }

    /// Queues a user broadcast (raw UTF-8 bytes of `text`, one line) on the peer.
    func broadcast(_ text: String) async throws {
        _ = try await request("broadcast \(text)", reply: ["broadcast_queued"], timeout: Self.defaultTimeout)
    }

    /// Queues a user broadcast of arbitrary bytes.
    func broadcast(bytes: [UInt8]) async throws {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let reply = try await request("broadcast-hex \(hex)", reply: ["broadcast_queued", "error"], timeout: Self.defaultTimeout)
        guard reply.event == "broadcast_queued" else {
            throw GoPeerError.commandFailed(peer: name, command: "broadcast-hex", reply: reply.line)
        }
    }

    /// Stores a dskit KV pair on the peer; `broadcast` also gossips it, otherwise it travels
    /// only in push/pull state.
    func setKV(key: String, codec: String, value: [UInt8], broadcast: Bool) async throws {
        let hex = value.map { String(format: "%02x", $0) }.joined()
        let verb = broadcast ? "kv-set" : "kv-put"
        let reply = try await request("\(verb) \(key) \(codec) \(hex)", reply: ["kv_set", "error"], timeout: Self.defaultTimeout)
        guard reply.event == "kv_set" else {
            throw GoPeerError.commandFailed(peer: name, command: verb, reply: reply.line)
        }
    }

    /// Every node memberlist knows, with its state (alive/suspect/dead/left).
    func members() async throws -> [GoPeerMember] {
        let reply = try await request("members", reply: ["members"], timeout: Self.defaultTimeout)
        return reply.members ?? []
    }

    /// Polls `members` until `condition` holds, or throws after `timeout`.
    @discardableResult
    func waitForMembers(
        _ what: String, timeout: Duration = defaultTimeout, until condition: ([GoPeerMember]) -> Bool
    ) async throws -> [GoPeerMember] {
        try await poll(what, timeout: timeout, fetch: members) { condition($0) }
    }

    /// Polls `stats` until `condition` holds, or throws after `timeout`.
    @discardableResult
    func waitForStats(
        _ what: String, timeout: Duration = defaultTimeout, until condition: ([String: Int]) -> Bool
    ) async throws -> [String: Int] {
        try await poll(what, timeout: timeout, fetch: stats, until: condition)
    }

    /// Runs `fetch` every 100 ms until `condition` holds on its result.
    private func poll<Value>(
        _ what: String, timeout: Duration, fetch: () async throws -> Value, until condition: (Value) -> Bool
    ) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        while true {
            let value = try await fetch()
            if condition(value) { return value }
            guard ContinuousClock.now < deadline else {
                throw GoPeerError.timedOut(
                    waitingFor: "\(what); last value: \(value)", peer: name, recent: events.recent(),
                    stderrTail: stderrText(last: 4000))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Joins the given `[name/]host:port` addresses; returns how many answered.
    func join(_ addresses: [String], timeout: Duration = defaultTimeout) async throws -> Int {
        let command = "join \(addresses.joined(separator: ","))"
        let reply = try await request(command, reply: ["joined", "join_error"], timeout: timeout)
        guard reply.event == "joined", let count = reply.count else {
            throw GoPeerError.commandFailed(peer: name, command: command, reply: reply.line)
        }
        return count
    }

    /// Leaves the cluster (memberlist Leave), blocking up to `timeout`.
    func leave(timeout: Duration = .seconds(5)) async throws {
        let command = "leave \(goDuration(timeout))"
        let reply = try await request(command, reply: ["left", "leave_error", "error"], timeout: timeout + .seconds(10))
        guard reply.event == "left" else { throw GoPeerError.commandFailed(peer: name, command: command, reply: reply.line) }
    }

    /// Transport counters: `packets_filtered`, `alive_members`,
    /// `health_score`, and with the dskit transport `packets_sent`,
    /// `packets_dropped`, `packets_digest_mismatch`, `streams_incoming`, ...
    func stats() async throws -> [String: Int] {
        try await request("stats", reply: ["stats"], timeout: Self.defaultTimeout).integerFields
    }

    /// Starts (`true`) or stops dropping outgoing packets to `address`.
    func dropPackets(to address: String, _ on: Bool = true) async throws {
        let verb = on ? "drop" : "undrop"
        _ = try await request("\(verb) \(address)", reply: [verb], timeout: Self.defaultTimeout)
    }

    // MARK: Process lifetime

    /// The exit status once the process has ended (signal number if killed).
    var exitStatus: Int32? { exit.withLock { $0.status } }

    /// Sends SIGTERM (the peer leaves, then shuts down) and waits; after
    /// `grace` it is SIGKILLed. Returns the exit status.
    @discardableResult
    func terminate(grace: Duration = .seconds(15)) async -> Int32 {
        await stop(signal: SIGTERM, grace: grace)
    }

    /// SIGKILLs the peer (no leave message) and waits until it is reaped.
    @discardableResult
    func kill() async -> Int32 {
        await stop(signal: SIGKILL, grace: .seconds(30))
    }

    private func stop(signal: Int32, grace: Duration) async -> Int32 {
        if let status = exitStatus { return status }
        Glibc.kill(process.processIdentifier, signal)
        let killer = Task { [process] in
            try await Task.sleep(for: grace)
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        defer { killer.cancel() }
        return await withCheckedContinuation { continuation in
            let done: Int32? = exit.withLock { state in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
