import Config
import EventLoop
import Glibc
import Membership
import Node

/// The process around one `GossipNode` on the main-thread loop: joins with
/// dskit's retry schedule, logs events, obeys stdin commands, and turns
/// SIGTERM/SIGINT into a graceful leave followed by exit 0.
final class Daemon {
    let config: NodeConfig
    let loop: EventLoop
    let logger: Logger
    let node: GossipNode
    private(set) var exitCode: Int32 = 0
    private var leaving = false
    private var exiting = false
    private var stdinReader: LineReader?

    init(config: NodeConfig, loop: EventLoop, logger: Logger) throws {
        self.config = config
        self.loop = loop
        node = try GossipNode(config: config, loop: loop, logger: logger)
        var logger = logger
        logger.baseFields.append(("node", node.name))
        self.logger = logger
    }

    func start() throws {
        node.onEvent = { [weak self] event in self?.log(event) }
        try node.start()
        try loop.onSignal(SIGTERM) { [weak self] signal in self?.signalled(signal) }
        try loop.onSignal(SIGINT) { [weak self] signal in self?.signalled(signal) }
        if config.stdinCommands { watchStdin() }
        if !config.joinMembers.isEmpty { attemptJoin(1) }
    }

    // MARK: join

    /// One full-join attempt; on failure retry with doubling backoff up to
    /// `-memberlist.max-join-retries` (dskit-kv-ring.md §4, "Full join").
    private func attemptJoin(_ attempt: Int) {
        node.join(config.joinMembers) { [weak self] outcome in
            guard let self, !self.leaving else { return }
            if outcome.successes > 0 {
                self.logger.info("joined memberlist cluster", ("reached_nodes", "\(outcome.successes)"),
                                 ("attempt", "\(attempt)"))
                for failure in outcome.failures { self.logger.debug("join seed failed", ("err", failure)) }
                return
            }
            let reason = outcome.failures.joined(separator: "; ")
            self.logger.warn("joining memberlist cluster failed", ("attempt", "\(attempt)"), ("err", reason))
            if attempt < max(1, self.config.maxJoinRetries) {
                self.loop.schedule(after: self.backoff(attempt)) { [weak self] _ in self?.attemptJoin(attempt + 1) }
            } else if self.config.abortIfJoinFails {
                self.logger.error("giving up joining the cluster", ("attempts", "\(attempt)"))
                self.exitCode = 1
                self.node.shutdown()
                self.loop.stop()
            } else {
                self.logger.warn("giving up joining; running alone", ("attempts", "\(attempt)"))
            }
        }
    }

    private func backoff(_ attempt: Int) -> Duration {
        var delay = config.minJoinBackoff
        for _ in 1..<attempt where delay < config.maxJoinBackoff { delay *= 2 }
        return min(delay, config.maxJoinBackoff)
    }

    // MARK: leaving

    private func signalled(_ signal: Int32) {
        logger.info("received signal, leaving", ("signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"))
        leaveAndExit()
    }

    private func leaveAndExit() {
        guard !leaving else { return }
        leaving = true
        node.leave(timeout: config.leaveTimeout) { [weak self] complete in
            guard let self else { return }
            self.logger.info("left memberlist cluster", ("broadcast_complete", "\(complete)"))
            self.exitSoon()
        }
        watchForEmptyCluster()
    }

    /// Gossip never goes to nodes that left, so once every peer is gone the
    /// leave broadcast cannot finish: stop waiting (Go would block until the timeout).
    private func watchForEmptyCluster() {
        loop.schedule(after: .milliseconds(100)) { [weak self] _ in
            guard let self, !self.node.isShutDown, !self.exiting else { return }
            if self.node.liveMembers.allSatisfy({ $0.name == self.node.name }) {
                self.logger.info("left memberlist cluster", ("broadcast_complete", "no live peers"))
                self.exitSoon()
            } else {
                self.watchForEmptyCluster()
            }
        }
    }

    /// Let the transport put the last gossip on the wire (dskit writers dial
    /// first), then stop.
    private func exitSoon() {
        guard !exiting else { return }
        exiting = true
        let grace: Duration = config.transport == .tcp ? .milliseconds(500) : .milliseconds(100)
        loop.schedule(after: grace) { [weak self] _ in
            guard let self else { return }
            self.node.shutdown()
            self.loop.stop()
        }
    }

    // MARK: events

    private func log(_ event: NodeEvent) {
        switch event {
        case .membership(let change):
            switch change {
            case .joined(let member): logMember("member joined", member)
            case .updated(let member): logMember("member updated", member)
            case .suspected(let member): logMember("member suspected", member)
            case .failed(let member): logMember("member failed", member)
            case .left(let member): logMember("member left", member)
            case .conflict(let existing, let other):
                logger.warn("node name conflict", ("name", existing.name), ("existing", "\(existing.address)"),
                            ("other", "\(other.address)"))
            }
        case .userMessage(let payload):
            logger.info("received user message", ("bytes", "\(payload.count)"), ("payload", Self.printable(payload)))
        }
    }

    private func logMember(_ message: String, _ member: Member) {
        logger.info(message, ("member", member.name), ("addr", "\(member.address)"),
                    ("incarnation", "\(member.incarnation)"))
    }

    /// Text when the payload is printable UTF-8, else hex.
    static func printable(_ payload: [UInt8]) -> String {
        if payload.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return String(decoding: payload, as: UTF8.self) }
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for byte in payload.prefix(256) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return "0x" + String(decoding: hex, as: UTF8.self)
    }

    // MARK: stdin commands

    /// `-memberlistd.stdin-commands`: `broadcast <text>`, `members`, `leave`, one per line.
    private func watchStdin() {
        do {
            stdinReader = try LineReader(loop: loop, fd: 0) { [weak self] line in self?.command(line) }
        } catch {
            logger.warn("cannot watch stdin for commands", ("err", "\(error)"))
        }
    }

    private func command(_ line: String) {
        if line.hasPrefix("broadcast ") {
            let payload = Array(line.utf8.dropFirst("broadcast ".utf8.count))
            node.broadcast(payload)
            logger.info("queued user broadcast", ("bytes", "\(payload.count)"))
        } else if line == "members" {
            var text = ""
            let members = node.members
            for member in members {
                text += "member name=\(member.name) addr=\(member.address) state=\(member.state) incarnation=\(member.incarnation)\n"
            }
            text += "members count=\(members.count) live=\(node.liveMembers.count)\n"
            _ = text.withCString { write(1, $0, strlen($0)) }
        } else if line == "leave" {
            leaveAndExit()
        } else if !line.isEmpty {
            logger.warn("unknown stdin command", ("line", line), ("expected", "broadcast <text>, members or leave"))
        }
    }
}
