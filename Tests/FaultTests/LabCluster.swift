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
    /// what leaked: processes still running and namespaces still present.
    func tearDown() async -> [String] {
        for node in nodes { await node.stop(SIGTERM) }
        saveLogs()
        lab.remove()
        var leaks = nodes.filter { kill($0.pid, 0) == 0 }.map { "process \($0.name) (pid \($0.pid)) still running" }
        leaks += lab.remainingNamespaces.map { "namespace \($0) still present" }
        return leaks
    }
}
