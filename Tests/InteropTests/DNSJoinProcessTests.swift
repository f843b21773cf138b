import Glibc
import NetworkTestSupport
import Testing

extension ProcessClusterTests {
    /// `-memberlist.join=dns+name:port` as Pyroscope's Helm chart passes it, with
    /// the name served by a real dnsmasq and found through `-memberlist.dns-resolv-conf`.
    @Suite struct DNSJoinProcessTests {
        @Test func joinsASeedFoundThroughDNS() async throws {
            let server = try await DnsmasqServer(hosts: ["seed.cluster.test": ["127.0.0.1"]])
            let seed = try await MemberlistdProcess.launch(name: "dns-seed", transport: "tcp")
            let seedPort = try #require(seed.address.split(separator: ":").last)
            let joiner = try await MemberlistdProcess.launch(
                name: "dns-joiner", transport: "tcp", join: ["dns+seed.cluster.test:\(seedPort)"],
                extra: ["-memberlist.dns-resolv-conf=\(server.resolvConfPath)"])
            let both = ["dns-seed": "alive", "dns-joiner": "alive"]
            try await seed.waitForMembers("2 alive") { $0 == both }
            try await joiner.waitForMembers("2 alive") { $0 == both }
            for node in [seed, joiner] { _ = await node.stop(SIGKILL) }
        }
    }
}
