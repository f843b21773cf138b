import Foundation
import Glibc
import NetworkTestSupport
import Synchronization

/// A private network for fault tests, built from Linux network namespaces:
/// one namespace holds a bridge, each node gets a namespace of its own with a
/// veth to that bridge and an address in 10.213.0.0/24. The range exists only
/// inside these namespaces, so nothing the tests do (nft drops, crafted
/// packets) can reach another host or the machine's own interfaces.
///
/// With `dnsHost` the lab also has a service host, a namespace of its own on the
/// same bridge at `dnsAddress`, where a test runs the cluster's DNS server
/// (`DnsmasqServer` with `.namespace`), as a Kubernetes cluster DNS sits on
/// the pod network apart from the pods.
///
/// Names carry `prefix` and the test process id; `sweepStale()` removes what a
/// killed earlier run left behind, `remove()` (call it in `defer`) removes this
/// lab and kills any process still inside it.
final class NetworkLab: Sendable {
    static let prefix = "mlfault"
    static let subnet = "10.213.0"
    /// The service host's address (nodes start at .10).
    static let dnsAddress = "\(subnet).2"

    let id: String
    let nodeCount: Int
    let hasDNSHost: Bool
    /// The nsfs inode of every namespace the lab made (`processesLeft` looks for them).
    private let inodes = Mutex<Set<UInt64>>([])
    var bridgeNamespace: String { "\(id)-br" }
    var dnsNamespace: String { "\(id)-dns" }

    /// Builds the bridge, `nodeCount` node namespaces and, with `dnsHost`, the
    /// service host; on failure removes what it built and throws with the
    /// command's output.
    init(nodeCount: Int, dnsHost: Bool = false) throws {
        Self.sweepStale()
        id = "\(Self.prefix)\(getpid())-\(Self.nextSerial())"
        self.nodeCount = nodeCount
        hasDNSHost = dnsHost
        do {
            try Self.ip(["netns", "add", bridgeNamespace])
            try recordInode(bridgeNamespace)
            try Self.ip(["-n", bridgeNamespace, "link", "add", "br0", "type", "bridge"])
            try Self.ip(["-n", bridgeNamespace, "link", "set", "br0", "up"])
            for index in 0..<nodeCount { try addHost(namespace(index), port: port(index), address: address(index)) }
            if dnsHost { try addHost(dnsNamespace, port: "pdns", address: Self.dnsAddress) }
        } catch {
            remove()
            throw error
        }
    }

    /// A namespace whose eth0 is a veth to bridge port `port`, holding `address`.
    private func addHost(_ namespace: String, port: String, address: String) throws {
        try Self.ip(["netns", "add", namespace])
        try recordInode(namespace)
        try Self.ip(["link", "add", "eth0", "netns", namespace, "type", "veth",
                     "peer", "name", port, "netns", bridgeNamespace])
        try Self.ip(["-n", bridgeNamespace, "link", "set", port, "master", "br0", "up"])
        try Self.ip(["-n", namespace, "addr", "add", "\(address)/24", "dev", "eth0"])
        try Self.ip(["-n", namespace, "link", "set", "eth0", "up"])
        try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
    }

    func namespace(_ index: Int) -> String { "\(id)-n\(index)" }

    /// The node's IPv4 address; it exists only in its namespace.
    func address(_ index: Int) -> String { "\(Self.subnet).\(index + 10)" }

    /// The bridge port node `index` is plugged into.
    private func port(_ index: Int) -> String { "p\(index)" }

    // MARK: faults (nftables inside the node namespaces)

    /// Unplugs node `index` (`up: false`) or plugs it back in: its bridge port goes
    /// down, so its eth0 loses carrier and nothing passes either way, as when a
    /// host's cable or a pod's veth goes; addresses and sockets stay as they were.
    func setLink(_ index: Int, up: Bool) throws {
        try Self.ip(["-n", bridgeNamespace, "link", "set", port(index), up ? "up" : "down"])
    }

    /// Drops one packet in `oneIn` at random as it arrives at node `index`. Every
    /// packet between two nodes arrives at exactly one of them, so with the rule on
    /// every node each datagram and TCP segment is lost with probability 1/`oneIn`.
    /// (A rule on output as well would lose 19% at `oneIn` 10: at that rate
    /// memberlist's own timing, 8 copies of a refutation then nothing until the
    /// next push/pull, declares false deaths, see `FailureDetectionTests`.)
    func addRandomLoss(_ index: Int, oneIn: Int) throws {
        try nft(index, """
            add table inet loss
            add chain inet loss input { type filter hook input priority 0 ; }
            add rule inet loss input numgen random mod \(oneIn) == 0 counter drop
            """)
    }

    /// Packets the loss rule of node `index` dropped so far.
    func droppedByLoss(_ index: Int) throws -> Int {
        let listing = try Self.run("/usr/sbin/ip", ["netns", "exec", namespace(index), "nft", "list", "table", "inet", "loss"])
        return listing.components(separatedBy: "packets ").dropFirst()
            .compactMap { Int($0.prefix { $0.isNumber }) }.reduce(0, +)
    }

    /// Cuts every packet between the two groups (rules on both sides, both directions).
    func partition(_ side: [Int], from other: [Int]) throws {
        for (mine, theirs) in [(side, other), (other, side)] {
            let addresses = theirs.map(address).joined(separator: ", ")
            for index in mine {
                try nft(index, """
                    add table inet partition
                    add chain inet partition input { type filter hook input priority 0 ; }
                    add chain inet partition output { type filter hook output priority 0 ; }
                    add rule inet partition input ip saddr { \(addresses) } drop
                    add rule inet partition output ip daddr { \(addresses) } drop
                    """)
            }
        }
    }

    /// Removes the partition rules from every node.
    func heal() throws {
        for index in 0..<nodeCount {
            try Self.run("/usr/sbin/ip", ["netns", "exec", namespace(index), "nft", "delete", "table", "inet", "partition"])
        }
    }

    /// Sends one UDP datagram from inside namespace `index` (which need not run
    /// a node): crafted packets come from a lab address like any peer's.
    func sendDatagram(from index: Int, to address: String, port: Int, _ bytes: [UInt8]) throws {
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let send = "import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
            + ".sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], int(sys.argv[3])))"
        try Self.run("/usr/sbin/ip", ["netns", "exec", namespace(index), "python3", "-c", send, hex, address, "\(port)"])
    }

    /// The body of an HTTP GET of `url` made from inside namespace `index` (a
    /// node's admin listener is reachable only there).
    func httpGet(from index: Int, _ url: String) throws -> String {
        let get = "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())"
        return try Self.run("/usr/sbin/ip", ["netns", "exec", namespace(index), "python3", "-c", get, url])
    }

    private func nft(_ index: Int, _ script: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(id)-\(index)-\(UUID().uuidString).nft")
        try Data((script + "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try Self.run("/usr/sbin/ip", ["netns", "exec", namespace(index), "nft", "-f", file.path])
    }

    // MARK: teardown

    /// Kills every process left in the lab's namespaces and deletes them.
    func remove() {
        Self.remove(namespaces: (0..<nodeCount).map(namespace) + (hasDNSHost ? [dnsNamespace] : []) + [bridgeNamespace])
    }

    private func recordInode(_ namespace: String) throws {
        var info = stat()
        guard stat("/run/netns/\(namespace)", &info) == 0 else {
            throw LabError.commandFailed("stat /run/netns/\(namespace): errno \(errno)")
        }
        inodes.withLock { _ = $0.insert(UInt64(info.st_ino)) }
    }

    /// Processes still inside one of the lab's network namespaces, found by the
    /// namespace itself (`/proc/PID/ns/net`), so a process the tests did not
    /// start (a dnsmasq child) or one in a namespace already deleted counts too.
    var processesLeft: [Int32] {
        let ours = inodes.withLock { $0 }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net"),
                  link.hasPrefix("net:["), let inode = UInt64(link.dropFirst(5).dropLast()) else { return false }
            return ours.contains(inode)
        }.sorted()
    }

    /// The lab's namespaces that still exist (empty after `remove()`).
    var remainingNamespaces: [String] { Self.listNamespaces().filter { $0.hasPrefix(id + "-") } }

    /// Deletes namespaces with our prefix whose creating test process is gone.
    static func sweepStale() {
        let stale = listNamespaces().filter { name in
            guard name.hasPrefix(prefix) else { return false }
            let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits) else { return true }
            return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
        }
        remove(namespaces: stale)
    }

    private static func remove(namespaces: [String]) {
        for namespace in namespaces {
            if let pids = try? run("/usr/sbin/ip", ["netns", "pids", namespace]) {
                for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? ip(["netns", "del", namespace])
        }
    }

    static func listNamespaces() -> [String] {
        guard let text = try? run("/usr/sbin/ip", ["netns", "list"]) else { return [] }
        return text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    private static let serial = Atomic<Int>(0)
    private static func nextSerial() -> Int { serial.add(1, ordering: .relaxed).newValue }

    @discardableResult
    private static func ip(_ arguments: [String]) throws -> String { try run("/usr/sbin/ip", arguments) }

    /// Runs a command to completion; non-zero exit throws with its output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        try HelperTool.run(executable, arguments).mapError { LabError.commandFailed($0.description) }.get()
    }
}

/// Why the lab or a node in it could not do what a test asked.
enum LabError: Error, CustomStringConvertible {
    case commandFailed(String)
    case timedOut(String)

    var description: String {
        switch self {
        case .commandFailed(let text): "command failed: \(text)"
        case .timedOut(let text): "timed out: \(text)"
        }
    }
}
