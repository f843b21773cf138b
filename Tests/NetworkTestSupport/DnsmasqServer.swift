import Foundation
import Glibc
import Synchronization

/// A real dnsmasq (Debian's dnsmasq-base) on a loopback address of its own, serving
/// only the records a test gives it (ARCHITECTURE.md, tests: "DNS: a real
/// dnsmasq serving A/AAAA/SRV records on loopback"), or on a given address inside
/// a network namespace (the fault tests' DNS host). Names under `localDomain`
/// that it does not know are answered NXDOMAIN. It runs in the foreground and is
/// killed by `stop()` or deinit, so a failing test leaves nothing behind.
public final class DnsmasqServer: Sendable {
    /// Where dnsmasq listens.
    public enum Placement: Sendable {
        /// A random 127.53.x.y of this host's loopback.
        case loopback
        /// `address`, already configured inside network namespace `name`
        /// (dnsmasq is started through `ip netns exec`, which execs it in place).
        case namespace(String, address: String)
    }

    /// One SRV record: `service` (e.g. `_gossip._tcp.cluster.test`) served by `target:port`.
    public struct Service: Sendable {
        public var service: String
        public var target: String
        public var port: Int
        public var priority: Int
        public var weight: Int

        public init(_ service: String, target: String, port: Int, priority: Int = 10, weight: Int = 10) {
            self.service = service
            self.target = target
            self.port = port
            self.priority = priority
            self.weight = weight
        }
    }

    public static let executable = "/usr/sbin/dnsmasq"
    static let ipExecutable = "/usr/sbin/ip"

    /// A loopback address of its own (127.53.x.y), or the namespace's: dnsmasq has no
    /// "port 0", and a port picked for a moment can be taken by another process before
    /// dnsmasq binds it (seen under load). No other process listens on these addresses,
    /// so the DNS port is always free there.
    public let address: String
    public let port = 53
    /// A scratch directory holding the hosts file and the resolv.conf.
    public let directory: URL
    /// A resolv.conf naming this server (`nameserver address:53`).
    public let resolvConfPath: String
    private let hostsPath: String
    private let pid: pid_t
    private let exited = Mutex<Bool>(false)
    /// dnsmasq's stderr (`--log-facility=-`).
    private let logPath: String

    /// Starts dnsmasq with `hosts` (name → IPv4/IPv6 addresses, A and AAAA
    /// records; `--host-record` keeps one address per family, so a name with
    /// several A records goes in the hosts file), `services` (SRV records) and
    /// `hostsFileLines` (an `--addn-hosts` file that `addHostsLine` extends
    /// later), authoritative for `localDomain`
    /// (e.g. `test` or `cluster.local`); returns once it serves.
    public init(hosts: [String: [String]] = [:], services: [Service] = [],
                hostsFileLines: [String] = [], localDomain: String = "test",
                placement: Placement = .loopback) async throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("memberlistd-dnsmasq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // dnsmasq drops to `nobody` and must still read the hosts file on SIGHUP.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        hostsPath = directory.appendingPathComponent("hosts").path
        try Self.write(hostsFileLines.map { $0 + "\n" }.joined(), to: hostsPath)
        var launcher: [String] = []
        switch placement {
        case .loopback:
            var random = SystemRandomNumberGenerator()
            address = "127.53.\(Int.random(in: 1...254, using: &random)).\(Int.random(in: 1...254, using: &random))"
        case .namespace(let namespace, let namespaceAddress):
            address = namespaceAddress
            launcher = [Self.ipExecutable, "netns", "exec", namespace]
        }
        resolvConfPath = directory.appendingPathComponent("resolv.conf").path
        try Self.writeResolvConf(at: resolvConfPath, server: "\(address):\(port)")

        var arguments = [
            "--keep-in-foreground", "--conf-file=/dev/null", "--pid-file", "--log-facility=-",
            "--no-resolv", "--no-hosts", "--local=/\(localDomain)/", "--bind-interfaces",
            "--listen-address=\(address)", "--port=\(port)", "--addn-hosts=\(hostsPath)",
        ]
        for (name, addresses) in hosts.sorted(by: { $0.key < $1.key }) {
            arguments.append("--host-record=\(([name] + addresses).joined(separator: ","))")
        }
        for service in services {
            arguments.append("--srv-host=\(service.service),\(service.target),\(service.port),\(service.priority),\(service.weight)")
        }
        logPath = directory.appendingPathComponent("dnsmasq.log").path
        pid = try Self.spawn(launcher + [Self.executable] + arguments, log: logPath)
        // dnsmasq binds its sockets before it reads the hosts file.
        do { try await waitForHostsFileReads(1) } catch {
            stop()
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Kills dnsmasq and waits for it; a stopped server refuses queries (ICMP).
    public func stop() {
        exited.withLock { exited in
            guard !exited else { return }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exited = true
        }
    }

    /// Still running (not reaped, no exit status pending).
    private var isRunning: Bool {
        exited.withLock { exited in
            guard !exited else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { exited = true }
            return !exited
        }
    }

    /// posix_spawn with an empty signal mask and default dispositions: a child
    /// started from a Swift concurrency (libdispatch) thread, as Foundation's
    /// Process does it, inherits that thread's mask with nearly every signal
    /// blocked, and dnsmasq would never see SIGHUP. `command` starts with the
    /// executable's path.
    private static func spawn(_ command: [String], log: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }
        var empty = sigset_t()
        var all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        guard status == 0 else { throw DnsmasqError(reason: "posix_spawn \(command[0]): errno \(status)") }
        return pid
    }

    /// Appends `line` to the `--addn-hosts` file and makes dnsmasq re-read it
    /// (SIGHUP); returns once dnsmasq logged the re-read.
    public func addHostsLine(_ line: String) async throws {
        let before = hostsFileReads
        let current = (try? String(contentsOfFile: hostsPath, encoding: .utf8)) ?? ""
        try Self.write(current + line + "\n", to: hostsPath)
        kill(pid, SIGHUP)
        try await waitForHostsFileReads(before + 1)
    }

    /// Writes a resolv.conf naming one `server` ("ip:port") with a 1 s timeout
    /// and one attempt, so failures show within a test's patience.
    public static func writeResolvConf(at path: String, server: String) throws {
        try write("nameserver \(server)\noptions timeout:1 attempts:1\n", to: path)
    }

    private var logLines: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private var hostsFileReads: Int {
        logLines.filter { $0.contains("read \(hostsPath)") }.count
    }

    private func waitForHostsFileReads(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while hostsFileReads < count {
            guard isRunning, ContinuousClock.now < deadline else {
                let lines = logLines.joined(separator: "\n")
                throw DnsmasqError(reason: "dnsmasq did not read \(hostsPath) (\(count) times); its log:\n\(lines)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    }
}

/// dnsmasq did not start or did not do what it was asked.
public struct DnsmasqError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
