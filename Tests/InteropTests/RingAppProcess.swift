import Foundation
import Glibc
import NetworkTestSupport

/// One `examples/ring_app.py` (issue 10's example application) beside a node's sidecar,
/// run as a user would run it; its `ring_app: <message> key=value ...` lines, parsed.
final class RingAppProcess: Sendable {
    struct Line: Sendable {
        var message: String
        var fields: [String: String]
    }

    let id: String
    private let process: Process
    private let lines = SharedMutex<[Line]>([])
    private let exited = SharedMutex(false)
    private let exitStatus = SharedMutex<Int32?>(nil)

    /// Starts `ring_app.py --id id --sidecar http://127.0.0.1:port` with `arguments`.
    init(id: String, sidecarPort: UInt16, arguments: [String]) throws {
        self.id = id
        let script = HelperTool.packageRoot.appendingPathComponent("examples/ring_app.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-u", script, "--id", id, "--sidecar", "http://127.0.0.1:\(sidecarPort)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        self.process = process
        let lines = lines, exited = exited
        PipePump.startLines(output.fileHandleForReading, into: { complete in
            lines.withLock { $0.append(contentsOf: complete.map(Self.parse)) }
        }, atEnd: { exited.withLock { $0 = true } })
        let status = exitStatus
        process.terminationHandler = { finished in status.withLock { $0 = finished.terminationStatus } }
        try process.run()
    }

    deinit { killIfRunning() }

    /// SIGKILL without waiting, for clean-up after a failed test.
    func killIfRunning() {
        if exitStatus.withLock({ $0 }) == nil { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// `ring_app: routed keys total=3 owned_here=1` → ("routed keys", [total: 3, owned_here: 1]);
    /// any other line (a Python traceback) keeps its text as the message.
    static func parse(_ text: String) -> Line {
        guard text.hasPrefix("ring_app: ") else { return Line(message: text, fields: [:]) }
        let rest = text.dropFirst("ring_app: ".count)
        let words = rest.split(separator: " ", omittingEmptySubsequences: false)
        let messageWords = words.prefix { !$0.contains("=") }
        let fieldText = words.dropFirst(messageWords.count).joined(separator: " ")
        var fields = MemberlistdProcess.parseLogfmt(fieldText)
        fields["_line"] = text
        return Line(message: messageWords.joined(separator: " "), fields: fields)
    }

    /// How many lines so far: pass to `waitFor(from:)` so only later lines count.
    var mark: Int { lines.withLock { $0.count } }

    /// The last line with `message`, if any.
    func latest(_ message: String) -> Line? { lines.withLock { $0.last { $0.message == message } } }

    /// Waits for a line from `mark` on with `message` for which `matches` holds.
    @discardableResult
    func waitFor(_ message: String, from mark: Int = 0, timeout: Duration = .seconds(30),
                 where matches: (Line) -> Bool = { _ in true }) async throws -> Line {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = lines.withLock { $0.dropFirst(mark).first { $0.message == message && matches($0) } }
            if let found { return found }
            if exited.withLock({ $0 }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestError("\(id): no \"\(message)\" line as wanted; last lines:\n\(recent())")
    }

    func recent(_ count: Int = 12) -> String {
        lines.withLock { $0.suffix(count).map { $0.fields["_line"] ?? $0.message }.joined(separator: "\n") }
    }

    /// SIGKILL: the app cannot deregister, so only its lease running out removes it.
    func kill() async { await signal(SIGKILL) }

    /// SIGTERM: the app deregisters its instance on the way out.
    func terminate() async { await signal(SIGTERM) }

    /// Sends `signal` and waits (polling, never blocking a thread) for the exit; SIGKILL after 15 s.
    private func signal(_ signal: Int32) async {
        guard exitStatus.withLock({ $0 }) == nil else { return }
        Glibc.kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(15)
        while exitStatus.withLock({ $0 }) == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if exitStatus.withLock({ $0 }) == nil { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}
