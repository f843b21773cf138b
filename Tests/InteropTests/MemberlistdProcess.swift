import Foundation
import Glibc
import NetworkTestSupport

/// One `memberlistd` process on loopback for the interop tests: flags in,
/// logfmt lines out (parsed), stdin commands (`-memberlistd.stdin-commands`).
final class MemberlistdProcess: Sendable {
    let name: String
    /// The `ip:port` the node advertises, read from its "node started" line
    /// (it binds port 0, so the kernel picks a port nobody else holds).
    var address: String { logs.first { $0["msg"] == "node started" }?["advertise"] ?? "" }
    private let process: Process
    private let stdin: FileHandle
    private let logLines = SharedMutex<[[String: String]]>([])
    private let stdoutText = SharedMutex<String>("")
    private let exitStatus = SharedMutex<Int32?>(nil)

    /// Fast failure-detector timings for loopback (memberlist-wire.md §8 lists the LAN defaults);
    /// the retransmit factor is 12, not Pyroscope's 4, for the reason given in `GoPeerOptions.Timing`.
    static let fastTiming = [
        "-memberlist.probe-interval=300ms", "-memberlist.probe-timeout=150ms", "-memberlist.gossip-interval=50ms",
        "-memberlist.pullpush-interval=2s", "-memberlist.suspicion-mult=3", "-memberlist.retransmit-factor=12",
        "-memberlist.stream-timeout=2s", "-memberlist.leave-timeout=3s", "-memberlist.min-join-backoff=200ms",
        "-memberlist.max-join-retries=3",
    ]

    /// The built executable (swift build / swift test build it with the package).
    static func executable() throws -> String {
        let root = HelperTool.packageRoot.appendingPathComponent(".build")
        for candidate in ["debug/memberlistd", "release/memberlistd"] {
            let path = root.appendingPathComponent(candidate).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw GoPeerError.launchFailed("memberlistd is not built under \(root.path); run swift build first")
    }

    /// Starts a node named `name` on a kernel-chosen loopback port and waits
    /// for its "node started" line (listening, address known); `transport`
    /// is tcp or udp.
    static func launch(name: String, transport: String, join: [String] = [],
                       extra: [String] = []) async throws -> MemberlistdProcess {
        let node = try MemberlistdProcess(name: name, transport: transport, join: join, extra: extra)
        let started = try await node.waitForLog("node started", from: 0)
        guard let advertise = started["advertise"], advertise.hasPrefix("127.0.0.1:"),
              let port = Int(advertise.dropFirst("127.0.0.1:".count)), port > 0 else {
            throw GoPeerError.launchFailed("\(name) started without a loopback port: \(started["_line"] ?? "")")
        }
        return node
    }

    private init(name: String, transport: String, join: [String], extra: [String]) throws {
        self.name = name
        var arguments = [
            "-memberlist.transport=\(transport)", "-memberlist.nodename=\(name)",
            "-memberlist.randomize-node-name=false", "-memberlist.bind-addr=127.0.0.1",
            "-memberlist.bind-port=0", "-server.http-listen-address=127.0.0.1", "-server.http-listen-port=0",
            "-sidecar.listen-address=127.0.0.1:0", "-memberlistd.stdin-commands", "-log.level=debug",
        ] + Self.fastTiming
        for seed in join { arguments.append("-memberlist.join=\(seed)") }
        arguments += extra
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        self.process = process
        stdin = input.fileHandleForWriting
        let lines = logLines, text = stdoutText, status = exitStatus
        PipePump.startLines(errors.fileHandleForReading, into: { complete in
            let parsed = complete.map(Self.parseLogfmt)
            lines.withLock { $0.append(contentsOf: parsed) }
        }, atEnd: {})
        PipePump.start(output.fileHandleForReading, into: { chunk in
            text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
        }, atEnd: {})
        process.terminationHandler = { finished in status.withLock { $0 = finished.terminationStatus } }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    // MARK: logs

    /// `key=value` pairs of one logfmt line (quoted values unescaped).
    static func parseLogfmt(_ line: String) -> [String: String] {
        var fields: [String: String] = ["_line": line]
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, line[index] == " " { index = line.index(after: index) }
            guard let equals = line[index...].firstIndex(of: "=") else { break }
            let key = String(line[index..<equals])
            var cursor = line.index(after: equals)
            var value = ""
            if cursor < line.endIndex, line[cursor] == "\"" {
                cursor = line.index(after: cursor)
                while cursor < line.endIndex, line[cursor] != "\"" {
                    if line[cursor] == "\\", line.index(after: cursor) < line.endIndex { cursor = line.index(after: cursor) }
                    value.append(line[cursor])
                    cursor = line.index(after: cursor)
                }
                if cursor < line.endIndex { cursor = line.index(after: cursor) }
            } else {
                while cursor < line.endIndex, line[cursor] != " " {
                    value.append(line[cursor])
                    cursor = line.index(after: cursor)
                }
            }
            fields[key] = value
            index = cursor
        }
        return fields
    }

    var logs: [[String: String]] { logLines.withLock { $0 } }

    /// The number of log lines so far: pass it to `waitForLog(from:)` so only
    /// lines printed after this point count.
    var logMark: Int { logLines.withLock { $0.count } }

    func recentLog(_ count: Int = 15) -> String {
        logs.suffix(count).compactMap { $0["_line"] }.joined(separator: "\n")
    }

    /// Waits for a log line with `msg` whose fields include `fields`, among
    /// the lines from index `mark` on (`logMark` taken before the action; 0 =
    /// since the process started).
    @discardableResult
    func waitForLog(_ message: String, _ fields: [String: String] = [:], from mark: Int,
                    timeout: Duration = .seconds(20)) async throws -> [String: String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = logs.dropFirst(mark).first(where: { line in
                line["msg"] == message && fields.allSatisfy { line[$0.key] == $0.value }
            }) { return line }
            if exitStatus.withLock({ $0 }) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GoPeerError.timedOut(waitingFor: "log msg=\"\(message)\" \(fields)", peer: name,
                                   recent: logs.suffix(25).compactMap { $0["_line"] }, stderrTail: "")
    }

    // MARK: commands

    func send(_ line: String) throws {
        try stdin.write(contentsOf: Data((line + "\n").utf8))
    }

    func broadcast(_ text: String) throws { try send("broadcast \(text)") }

    /// `kv-put`: writes `value` under `key` as the sidecar API's PUT does; every node logs
    /// `kv key changed` once the write reaches it.
    func kvPut(_ key: String, _ value: String) throws { try send("kv-put \(key) \(value)") }

    /// Sends a stdin command and returns its stdout reply, complete once `marker` appears.
    private func reply(to command: String, endingWith marker: String) async throws -> [Substring] {
        let before = stdoutText.withLock { $0.count }
        try send(command)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = stdoutText.withLock { String($0.dropFirst(before)) }
            if text.contains(marker) { return text.split(separator: "\n") }
            try await Task.sleep(for: .milliseconds(30))
        }
        throw GoPeerError.timedOut(waitingFor: "\(command) reply", peer: name, recent: [], stderrTail: recentLog())
    }

    /// The `members` command: name → state ("alive", "suspect", "dead", "left").
    func members() async throws -> [String: String] {
        var result: [String: String] = [:]
        for line in try await reply(to: "members", endingWith: "members count=") where line.hasPrefix("member ") {
            let fields = Self.parseLogfmt(String(line.dropFirst("member ".count)))
            if let name = fields["name"], let state = fields["state"] { result[name] = state }
        }
        return result
    }

    /// The `kv` command: KV key → codec, and per ring key the instances → state.
    struct KVListing: Sendable {
        var keys: [String: String] = [:]
        var rings: [String: [String: String]] = [:]
    }

    func kv() async throws -> KVListing {
        var listing = KVListing()
        for line in try await reply(to: "kv", endingWith: "kv count=") {
            if line.hasPrefix("kv key=") {
                let fields = Self.parseLogfmt(String(line.dropFirst("kv ".count)))
                if let key = fields["key"] { listing.keys[key] = fields["codec"] ?? "" }
            } else if line.hasPrefix("ring ") {
                let fields = Self.parseLogfmt(String(line.dropFirst("ring ".count)))
                if let key = fields["key"], let instance = fields["instance"] {
                    listing.rings[key, default: [:]][instance] = fields["state"] ?? ""
                }
            }
        }
        return listing
    }

    /// Polls `kv` until `condition` holds.
    @discardableResult
    func waitForKV(_ what: String, timeout: Duration = .seconds(20),
                   until condition: (KVListing) -> Bool) async throws -> KVListing {
        try await poll(what, timeout: timeout, fetch: kv, until: condition)
    }

    /// Polls `members` until `condition` holds.
    @discardableResult
    func waitForMembers(_ what: String, timeout: Duration = .seconds(20),
                        until condition: ([String: String]) -> Bool) async throws -> [String: String] {
        try await poll(what, timeout: timeout, fetch: members, until: condition)
    }

    /// Calls `fetch` every 100 ms until its answer satisfies `condition`.
    private func poll<Value>(_ what: String, timeout: Duration, fetch: () async throws -> Value,
                             until condition: (Value) -> Bool) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        var last: Value?
        while ContinuousClock.now < deadline {
            let value = try await fetch()
            if condition(value) { return value }
            last = value
            try await Task.sleep(for: .milliseconds(100))
        }
        throw GoPeerError.timedOut(waitingFor: "\(what); last: \(last.map { "\($0)" } ?? "none")", peer: name,
                                   recent: [], stderrTail: recentLog())
    }

    /// Sends `signal` (e.g. SIGHUP) without waiting for anything.
    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    // MARK: stopping

    /// Sends `signal` without waiting, to watch what the others see meanwhile.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Sends `signal` and waits for the exit status.
    func stop(_ signal: Int32, timeout: Duration = .seconds(15)) async -> Int32? {
        if let status = exitStatus.withLock({ $0 }) { return status }
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus.withLock({ $0 }) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        return nil
    }
}
