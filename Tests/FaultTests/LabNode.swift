import Foundation
import Glibc
import Synchronization

/// One `memberlistd` started inside a `NetworkLab` namespace with
/// `ip netns exec` (which execs, so the process id is memberlistd's own),
/// bound to the namespace's address. Its log lines are kept as text; `members`
/// goes through the stdin commands (`-memberlistd.stdin-commands`).
final class LabNode: Sendable {
    let name: String
    let address: String
    let port: Int
    private let process: Process
    private let stdin: FileHandle
    private let output: Output

    /// Everything the process wrote, shared with the pipe handlers.
    private final class Output: Sendable {
        let logLines = Mutex<[String]>([])
        let stdoutText = Mutex<String>("")
        let exitStatus = Mutex<Int32?>(nil)
    }

    /// memberlist's LAN defaults for the udp transport (memberlist-wire.md §8:
    /// probe 1 s, probe timeout 500 ms, gossip 200 ms, suspicion mult 4, push/pull 30 s).
    static let lanTiming = [
        "-memberlist.probe-interval=1s", "-memberlist.probe-timeout=500ms", "-memberlist.gossip-interval=200ms",
        "-memberlist.suspicion-mult=4", "-memberlist.retransmit-factor=4", "-memberlist.pullpush-interval=30s",
    ]

    static var executable: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/memberlistd").path
    }

    /// Starts node `index` of `lab` and waits for its "node started" line.
    static func launch(_ lab: NetworkLab, _ index: Int, name: String, transport: String = "udp", port: Int = 7946,
                       join: [String] = [], extra: [String] = lanTiming) async throws -> LabNode {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw LabError.commandFailed("\(Self.executable) is missing; run swift build first")
        }
        let address = lab.address(index)
        var arguments = [Self.executable,
                         "-memberlist.transport=\(transport)", "-memberlist.nodename=\(name)",
                         "-memberlist.randomize-node-name=false", "-memberlist.bind-addr=\(address)",
                         "-memberlist.bind-port=\(port)", "-memberlist.advertise-port=\(port)",
                         "-memberlistd.stdin-commands", "-log.level=info"]
        arguments += join.map { "-memberlist.join=\($0)" } + extra
        let node = try LabNode(lab, index, name: name, port: port, command: arguments)
        try await node.waitForLog("node started", since: 0, timeout: .seconds(30))
        return node
    }

    /// Starts the image's memberlistd as a container runtime would, in namespace
    /// `index` of `lab`: chrooted into `image` in a mount namespace of its own
    /// where `/proc` is mounted (it ends with the process, so nothing is left
    /// mounted), as the image's user, with `arguments` only; waits for "node
    /// started". `name` labels the node in the test's messages; the node
    /// names itself from `arguments` (or the hostname and a random suffix).
    static func launch(_ lab: NetworkLab, _ index: Int, image: ImageRoot, name: String, port: Int = 7946,
                       arguments: [String]) async throws -> LabNode {
        let user = "\(ImageRoot.user)"
        let command = ["/usr/bin/unshare", "--mount", "--root=\(image.path.path)", "--mount-proc=/proc",
                       "--setgid=\(user)", "--setuid=\(user)", ImageRoot.binary] + arguments
        let node = try LabNode(lab, index, name: name, port: port, command: command)
        try await node.waitForLog("node started", since: 0, timeout: .seconds(30))
        return node
    }

    /// Runs `command` in the node's namespace through `ip netns exec`; every
    /// program in the chain execs the next, so the process id is memberlistd's.
    private init(_ lab: NetworkLab, _ index: Int, name: String, port: Int, command: [String]) throws {
        self.name = name
        address = lab.address(index)
        self.port = port
        let arguments = ["netns", "exec", lab.namespace(index)] + command
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        let input = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = input
        process.standardOutput = stdout
        process.standardError = stderr
        let output = Output()
        let partial = Mutex<Data>(Data())
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil; return }
            let lines: [String] = partial.withLock { buffer in
                buffer.append(chunk)
                guard let last = buffer.lastIndex(of: 0x0a) else { return [] }
                let complete = String(decoding: buffer[..<last], as: UTF8.self)
                buffer.removeSubrange(...last)
                return complete.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
            output.logLines.withLock { $0.append(contentsOf: lines) }
        }
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil; return }
            output.stdoutText.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
        }
        process.terminationHandler = { finished in output.exitStatus.withLock { $0 = finished.terminationStatus } }
        self.process = process
        self.output = output
        stdin = input.fileHandleForWriting
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var seed: String { "\(address):\(port)" }

    /// The name the node gave itself (the `node` field of its "node started" line).
    var memberName: String? {
        lines("node started").first?.split(separator: " ").first { $0.hasPrefix("node=") }.map { String($0.dropFirst(5)) }
    }
    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { output.exitStatus.withLock { $0 } == nil }

    // MARK: logs

    var logLines: [String] { output.logLines.withLock { $0 } }

    /// The number of lines so far; pass it as `since` to count only later lines.
    var logMark: Int { output.logLines.withLock { $0.count } }

    /// Lines logging `message` (the logfmt `msg` field), optionally about `member`.
    func lines(_ message: String, member: String? = nil, since mark: Int = 0) -> [String] {
        let quoted = message.contains(" ") ? "msg=\"\(message)\"" : "msg=\(message)"
        return logLines.dropFirst(mark).filter { line in
            line.contains(quoted) && (member.map { line.contains(" member=\($0) ") || line.hasSuffix(" member=\($0)") } ?? true)
        }
    }

    @discardableResult
    func waitForLog(_ message: String, member: String? = nil, containing text: String? = nil, since mark: Int,
                    timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines(message, member: member, since: mark).first(where: { text.map($0.contains) ?? true }) {
                return line
            }
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw LabError.timedOut("\(name): log \(message) \(member ?? "") \(text ?? "") (running: \(isRunning))\n\(recentLog())")
    }

    func recentLog(_ count: Int = 20) -> String { logLines.suffix(count).joined(separator: "\n") }

    // MARK: members

    /// One row of the `members` command.
    struct MemberRow: Equatable {
        var address: String
        var state: String
        var incarnation: Int
    }

    /// The node's member list, by name (the `members` stdin command).
    func members() async throws -> [String: MemberRow] {
        Self.parseMembers(try await reply(to: "members", endingWith: "members count="))
    }

    /// Writes `command` to the node's stdin and returns what it printed up to `marker`.
    private func reply(to command: String, endingWith marker: String) async throws -> String {
        let before = output.stdoutText.withLock { $0.utf8.count }
        try stdin.write(contentsOf: Data("\(command)\n".utf8))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let reply = output.stdoutText.withLock { String(decoding: $0.utf8.dropFirst(before), as: UTF8.self) }
            if reply.contains(marker) { return reply }
            try await Task.sleep(for: .milliseconds(30))
        }
        throw LabError.timedOut("\(name): no reply to \(command)\n\(recentLog())")
    }

    /// One ring instance as the node sees it (the `kv` stdin command's `ring` rows).
    struct RingRow: Equatable {
        var state: String
        /// Unix seconds of its last heartbeat, as stored.
        var heartbeat: Int
        /// Heartbeat within `-memberlistd.ring.heartbeat-timeout` of this node's clock.
        var healthy: Bool
    }

    /// The instances of every ring key the node holds, by instance id.
    func ring() async throws -> [String: RingRow] {
        var rows: [String: RingRow] = [:]
        for (_, fields) in Self.rows(try await reply(to: "kv", endingWith: "kv count="), prefix: "ring ") {
            guard let instance = fields["instance"] else { continue }
            rows[instance] = RingRow(state: fields["state"] ?? "", heartbeat: Int(fields["heartbeat"] ?? "") ?? -1,
                                     healthy: fields["healthy"] == "true")
        }
        return rows
    }

    /// Polls `ring` until `condition` holds.
    @discardableResult
    func waitForRing(_ what: String, timeout: Duration,
                     until condition: ([String: RingRow]) -> Bool) async throws -> [String: RingRow] {
        try await poll(what, timeout: timeout, fetch: ring, until: condition)
    }

    /// Moves the node's wall clock by `seconds` (`wall-clock-step`) and waits for its log line.
    func stepWallClock(seconds: Int) async throws {
        let mark = logMark
        try stdin.write(contentsOf: Data("wall-clock-step \(seconds)\n".utf8))
        try await waitForLog("wall clock stepped", since: mark)
    }

    /// Rows `member name=a addr=ip:port state=alive incarnation=3` (fields are bare words).
    static func parseMembers(_ reply: String) -> [String: MemberRow] {
        var rows: [String: MemberRow] = [:]
        for (_, fields) in Self.rows(reply, prefix: "member ") {
            guard let name = fields["name"] else { continue }
            rows[name] = MemberRow(address: fields["addr"] ?? "", state: fields["state"] ?? "",
                                   incarnation: Int(fields["incarnation"] ?? "") ?? -1)
        }
        return rows
    }

    /// The lines of `reply` starting with `prefix`, each with its `name=value` fields (bare words).
    static func rows(_ reply: String, prefix: String) -> [(line: Substring, fields: [String: String])] {
        reply.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map { line in
            var fields: [String: String] = [:]
            for pair in line.split(separator: " ").dropFirst() {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                fields[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            return (line, fields)
        }
    }

    /// Polls `members` until `condition` holds.
    @discardableResult
    func waitForMembers(_ what: String, timeout: Duration,
                        until condition: ([String: MemberRow]) -> Bool) async throws -> [String: MemberRow] {
        try await poll(what, timeout: timeout, fetch: members, until: condition)
    }

    /// Calls `fetch` every 200 ms until its answer satisfies `condition`.
    private func poll<Value>(_ what: String, timeout: Duration, fetch: () async throws -> Value,
                             until condition: (Value) -> Bool) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        var last: Value?
        while ContinuousClock.now < deadline {
            let value = try await fetch()
            if condition(value) { return value }
            last = value
            try await Task.sleep(for: .milliseconds(200))
        }
        throw LabError.timedOut("\(name): \(what); last: \(last.map { "\($0)" } ?? "none")\n\(recentLog())")
    }

    func broadcast(_ text: String) throws {
        try stdin.write(contentsOf: Data("broadcast \(text)\n".utf8))
    }

    // MARK: stopping

    /// Sends `signal` and waits for the exit (SIGKILL after `timeout`).
    @discardableResult
    func stop(_ signal: Int32 = SIGKILL, timeout: Duration = .seconds(15)) async -> Int32? {
        if let status = output.exitStatus.withLock({ $0 }) { return status }
        kill(pid, signal)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = output.exitStatus.withLock({ $0 }) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        return nil
    }
}
