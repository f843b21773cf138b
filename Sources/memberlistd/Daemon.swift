import Admin
import Config
import EventLoop
import Glibc
import KV
import Membership
import Node
import Sidecar
import Wire

/// The process around one `GossipNode` on the main-thread loop: wires signals
/// (SIGTERM/SIGINT leave, SIGHUP reloads the TLS files),
/// stdin commands, logging and the exit code; the node owns the join retries
/// (`runJoinLifecycle`) and the graceful exit (`leaveAndShutdown`).
final class Daemon {
    let config: NodeConfig
    let loop: EventLoop
    let logger: Logger
    let node: GossipNode
    private(set) var exitCode: Int32 = 0
    private var stdinReader: LineReader?
    /// `/metrics`, `/ready`, `/memberlist`, `/ring`; nil until started.
    private var admin: AdminServer?
    private var adminSource: NodeAdminSource?
    /// The sidecar API (`/v1/`); nil when `-sidecar.listen-address` is empty.
    private var sidecar: SidecarServer?

    init(config: NodeConfig, loop: EventLoop, logger: Logger) throws {
        self.config = config
        self.loop = loop
        node = try GossipNode(config: config, loop: loop, logger: logger)
        var logger = logger
        logger.baseFields.append(("node", node.name))
        self.logger = logger
    }

    /// Stored properties are released in declaration order, `loop` before the
    /// stdin reader that reaches it unowned; in a release build `main` holds the
    /// loop no longer than the daemon, so releasing the reader then read a freed
    /// loop and every exit crashed. Stop it while the loop is alive.
    deinit {
        stdinReader?.stop()
    }

    func start() throws {
        node.onEvent = { [weak self] event in
            self?.log(event)
            self?.sidecar?.handle(event)
        }
        try node.start()
        try loop.onSignal(SIGTERM) { [weak self] signal in self?.signalled(signal) }
        try loop.onSignal(SIGINT) { [weak self] signal in self?.signalled(signal) }
        // Certificate rotation without a restart (issue 14); a no-op without TLS.
        try loop.onSignal(SIGHUP) { [weak self] _ in self?.node.reloadTLS(trigger: "SIGHUP") }
        if config.stdinCommands { watchStdin() }
        try startAdmin()
        try startSidecar()
        node.runJoinLifecycle { [weak self] report in self?.logJoin(report) }
    }

    // MARK: admin HTTP

    /// Binds the admin listener; a bind failure stops start-up like a gossip one.
    private func startAdmin() throws {
        let settings = config.server
        let ip = settings.httpListenAddress ?? IPAddress(0, 0, 0, 0)
        guard let address = SocketAddress(ip: ip, port: settings.httpListenPort) else {
            throw SystemError(syscall: "bind(-server.http-listen-address=\(ip))", errno: EINVAL)
        }
        let source = NodeAdminSource(node: node, ready: config.joinMembers.isEmpty)
        let server = try AdminServer(loop: loop, address: address, source: source, metricsPrefix: settings.metricsPrefix)
        adminSource = source
        admin = server
        logger.info("http listening", ("addr", "\(server.localAddress)"))
    }

    /// Binds the sidecar API's loopback listener or Unix socket (the config refuses other
    /// addresses); a bind failure stops start-up like a gossip one.
    private func startSidecar() throws {
        let server: SidecarServer
        switch config.sidecarListenAddress {
        case nil:
            return
        case .tcp(let ip, let port)?:
            guard let address = SocketAddress(ip: ip, port: port) else {
                throw SystemError(syscall: "bind(-sidecar.listen-address=\(ip):\(port))", errno: EINVAL)
            }
            server = try SidecarServer(node: node, address: address)
            logger.info("sidecar listening", ("addr", "\(server.localAddress)"))
        case .unix(let path)?:
            server = try SidecarServer(node: node, unixPath: path)
            logger.info("sidecar listening", ("addr", "unix:\(path)"))
        }
        sidecar = server
    }

    // MARK: join

    /// Logs the join phases (the policy is `GossipNode.runJoinLifecycle`);
    /// `-memberlist.abort-if-fast-join-fails` and `-memberlist.abort-if-join-fails`
    /// turn failing into exit 1.
    private func logJoin(_ report: JoinLifecycleReport) {
        switch report {
        case let .fastJoin(reached, needed, outcome, _):
            if reached >= needed {
                logger.info("fast join finished", ("reached_nodes", "\(reached)"))
            } else if report.isFatalFastJoinFailure {
                logger.error("fast join failed; aborting", ("reached_nodes", "\(reached)"), ("needed", "\(needed)"),
                             ("err", outcome.failures.joined(separator: "; ")))
                exitCode = 1
                node.shutdown()
                loop.stop()
            } else {
                logger.warn("fast join reached too few members", ("reached_nodes", "\(reached)"),
                            ("needed", "\(needed)"), ("err", outcome.failures.joined(separator: "; ")))
            }
        case .fullJoin(let step):
            logFullJoin(step)
        case .rejoin(let outcome) where outcome.successes > 0:
            logger.debug("rejoined memberlist cluster", ("reached_nodes", "\(outcome.successes)"))
        case .rejoin(let outcome):
            logger.warn("rejoining memberlist cluster failed", ("err", outcome.failures.joined(separator: "; ")))
        }
    }

    private func logFullJoin(_ report: ClusterJoinReport) {
        switch report {
        case let .joined(attempt, outcome):
            adminSource?.isReady = true
            logger.info("joined memberlist cluster", ("reached_nodes", "\(outcome.successes)"), ("attempt", "\(attempt)"))
            for failure in outcome.failures { logger.debug("join seed failed", ("err", failure)) }
        case let .attemptFailed(attempt, outcome, _):
            logger.warn("joining memberlist cluster failed", ("attempt", "\(attempt)"),
                        ("err", outcome.failures.joined(separator: "; ")))
        case let .gaveUp(attempts) where config.abortIfJoinFails:
            logger.error("giving up joining the cluster", ("attempts", "\(attempts)"))
            exitCode = 1
            admin?.close()
            sidecar?.close(leaveRings: false)
            node.shutdown()
            loop.stop()
        case let .gaveUp(attempts):
            logger.warn("giving up joining; running alone", ("attempts", "\(attempts)"))
        }
    }

    // MARK: leaving

    private func signalled(_ signal: Int32) {
        logger.info("received signal, leaving", ("signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"))
        leaveAndExit()
    }

    /// The sidecar's ring instances leave first (their LEAVING and removal gossip with the
    /// node's own leave), then the node leaves, logs how the leave ended, and stops the
    /// loop once it shut down.
    private func leaveAndExit() {
        guard let sidecar else { return leaveNode() }
        self.sidecar = nil
        sidecar.close(leaveRings: true) { [weak self] in self?.leaveNode() }
    }

    private func leaveNode() {
        node.leaveAndShutdown(timeout: config.leaveTimeout, left: { [weak self] result in
            let complete = switch result {
            case .broadcastComplete: "true"
            case .timedOut: "false"
            case .noLivePeers: "no live peers"
            }
            self?.logger.info("left memberlist cluster", ("broadcast_complete", complete))
        }, stopped: { [weak self] in
            self?.admin?.close()
            self?.loop.stop()
        })
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

    /// `seconds` as milliseconds; nil when that overflows (a step that large is refused).
    static func millis(_ seconds: Int64) -> Int64? {
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : millis
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

    /// The `kv` command: one `kv` line per key, one `ring` line per ring instance, then
    /// `kv count=N` (read by the interop tests).
    private func writeKVStatus() {
        let status = node.status()
        var text = ""
        for key in status.keys {
            text += "kv key=\(key.key) codec=\(key.codec) version=\(key.version) deleted=\(key.deleted) size=\(key.valueSize)\n"
            for instance in status.rings[key.key] ?? [] {
                text += "ring key=\(key.key) instance=\(instance.id) state=\(instance.state) tokens=\(instance.tokens.count) addr=\(instance.addr)"
                    + " heartbeat=\(instance.heartbeatTimestamp) healthy=\(instance.heartbeatHealthy)\n"
            }
        }
        text += "kv count=\(status.keys.count)\n"
        _ = text.withCString { write(1, $0, strlen($0)) }
    }

    /// `-memberlistd.stdin-commands`: `broadcast <text>`, `kv-put <key> <value>`, `members`, `kv`,
    /// `leave` and `wall-clock-step <seconds>` (the fault tests' clock jump, `WallClock`), one per
    /// line. With them on, every KV change is logged (`kv key changed`), so a driver (the interop
    /// tests, Benchmarks/propagation) sees a write arrive.
    private func watchStdin() {
        do {
            stdinReader = try LineReader(loop: loop, fd: 0) { [weak self] line in self?.command(line) }
        } catch {
            logger.warn("cannot watch stdin for commands", ("err", "\(error)"))
        }
        node.kvWatchPrefix("") { [weak self] keys in self?.logKVChanges(keys) }
    }

    /// `kv key changed` per notified key: a sidecar value as text (`printable`) at info;
    /// another codec's value (rings and tracker beacons change every heartbeat) by its type,
    /// at debug.
    private func logKVChanges(_ keys: [String]) {
        for key in keys {
            switch node.kvGet(key)?.value {
            case let bytes as SidecarBytes:
                logger.info("kv key changed", ("key", key), ("version", "\(bytes.version)"),
                            ("deleted", "\(bytes.deleted)"), ("value", Self.printable(bytes.bytes)))
            case let value?:
                logger.debug("kv key changed", ("key", key), ("type", "\(type(of: value))"))
            case nil:
                logger.info("kv key changed", ("key", key), ("deleted", "true"))
            }
        }
    }

    /// `kv-put <key> <value>`: the value's UTF-8 bytes written as the sidecar API's PUT writes
    /// them (`SidecarServer.writeKV`, the `sidecar.bytes` codec), so it gossips as a KV update.
    private func putKV(_ arguments: Substring) {
        guard let space = arguments.firstIndex(of: " "), space > arguments.startIndex else {
            return logger.warn("kv-put needs a key and a value", ("line", "kv-put \(arguments)"),
                               ("expected", "kv-put <key> <value>"))
        }
        let key = String(arguments[..<space])
        let value = Array(arguments[arguments.index(after: space)...].utf8)
        guard value.count <= SidecarServer.maxValueBytes else {
            return logger.warn("kv-put value too large", ("key", key), ("bytes", "\(value.count)"),
                               ("limit", "\(SidecarServer.maxValueBytes)"))
        }
        SidecarServer.writeKV(node, key: key, bytes: value) { [weak self] result in
            switch result {
            case .written(let version):
                self?.logger.info("kv put", ("key", key), ("version", "\(version)"), ("bytes", "\(value.count)"))
            default:
                self?.logger.warn("kv-put failed", ("key", key), ("result", "\(result)"))
            }
        }
    }

    private func command(_ line: String) {
        if line.hasPrefix("broadcast ") {
            let payload = Array(line.utf8.dropFirst("broadcast ".utf8.count))
            node.broadcast(payload)
            logger.info("queued user broadcast", ("bytes", "\(payload.count)"))
        } else if line.hasPrefix("kv-put ") {
            putKV(line.dropFirst("kv-put ".count))
        } else if line == "members" {
            var text = ""
            let members = node.members
            for member in members {
                text += "member name=\(member.name) addr=\(member.address) state=\(member.state) incarnation=\(member.incarnation)\n"
            }
            text += "members count=\(members.count) live=\(node.liveMembers.count)\n"
            _ = text.withCString { write(1, $0, strlen($0)) }
        } else if line == "kv" {
            writeKVStatus()
        } else if line == "leave" {
            leaveAndExit()
        } else if line.hasPrefix("wall-clock-step "), let seconds = Int64(line.dropFirst("wall-clock-step ".count)),
                  let millis = Self.millis(seconds) {
            WallClock.step(byMillis: millis)
            logger.info("wall clock stepped", ("seconds", "\(seconds)"), ("now", Logger.rfc3339(unixMillis: WallClock.nowMillis())))
        } else if !line.isEmpty {
            logger.warn("unknown stdin command", ("line", line),
                        ("expected", "broadcast <text>, kv-put <key> <value>, members, kv, leave or wall-clock-step <seconds>"))
        }
    }
}
