import Foundation
import Glibc

/// `memberlistd` nodes in a `NetworkLab`, one per namespace: started joined to
/// node 0, checked for convergence, torn down with a check that nothing leaked.
struct LabCluster {
    let lab: NetworkLab
    var nodes: [LabNode]

    /// Starts a node in each of the lab's first `count` namespaces (node i named
    /// `name(i)`), every one after the first joining the first, and waits until
    /// every node sees all of them alive.
    static func start(_ lab: NetworkLab, count: Int, transport: String = "udp",
                      extra: [String] = LabNode.lanTiming) async throws -> LabCluster {
        var nodes: [LabNode] = []
        for index in 0..<count {
            let join = index == 0 ? [] : [nodes[0].seed]
            nodes.append(try await LabNode.launch(lab, index, name: name(index), transport: transport,
                                                  join: join, extra: extra))
        }
        let cluster = LabCluster(lab: lab, nodes: nodes)
        try await cluster.waitUntilAllAlive(nodes.indices, timeout: .seconds(60))
        return cluster
    }

    static func name(_ index: Int) -> String { "n\(index)" }

    /// Waits until each node in `observers` sees every node of the cluster alive.
    func waitUntilAllAlive(_ observers: Range<Int>, timeout: Duration) async throws {
        let names = Set(nodes.map(\.name))
        for index in observers {
            try await nodes[index].waitForMembers("all \(names.count) alive", timeout: timeout) { members in
                names.allSatisfy { members[$0]?.state == "alive" }
            }
        }
    }

    /// Stops node `index` (SIGTERM: it leaves) and starts it again in its
    /// namespace, joining `seeds`: how an operator (or dskit's rejoin) brings a
    /// split cluster back together.
    mutating func restart(_ index: Int, joining seeds: [String]) async throws {
        await nodes[index].stop(SIGTERM)
        nodes[index] = try await LabNode.launch(lab, index, name: nodes[index].name, join: seeds)
    }

    /// "member failed" lines (a node declared dead) each node logged since `marks`.
    func deathsLogged(since marks: [Int]) -> [String] {
        zip(nodes, marks).flatMap { node, mark in node.lines("member failed", since: mark).map { "\(node.name): \($0)" } }
    }

    /// Writes every node's log to `<tmp>/<lab id>/<node>.log` for a post-mortem.
    func saveLogs() {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(lab.id)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (index, node) in nodes.enumerated() {
            let text = node.logLines.joined(separator: "\n") + "\n"
            try? Data(text.utf8).write(to: directory.appendingPathComponent("\(index)-\(node.name).log"))
        }
        print("fault test logs: \(directory.path)")
    }

    /// Stops every node (SIGTERM, so each leaves), removes the lab and returns
    /// what went wrong at the end: a running node that did not exit 0 on SIGTERM
    /// (a crash on the way out), processes still running or still in a lab
    /// namespace (any the test started there, dnsmasq's too) and namespaces
    /// still present.
    func tearDown() async -> [String] {
        var leaks: [String] = []
        for node in nodes where node.isRunning {
            let status = await node.stop(SIGTERM)
            if status != 0 { leaks.append("\(node.name) exited with \(status.map(String.init) ?? "nothing (killed)") on SIGTERM") }
        }
        saveLogs()
        lab.remove()
        leaks += nodes.filter { kill($0.pid, 0) == 0 }.map { "process \($0.name) (pid \($0.pid)) still running" }
        leaks += lab.processesLeft.map { "process \($0) still in a lab namespace" }
        leaks += lab.remainingNamespaces.map { "namespace \($0) still present" }
        return leaks
    }
}
