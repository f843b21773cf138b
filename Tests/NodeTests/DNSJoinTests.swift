import Config
import EventLoop
import NetworkTestSupport
import Testing
@testable import Node

/// Join entries resolved through c-ares on the node's loop against a real
/// dnsmasq (dskit-kv-ring.md §4): every form, NXDOMAIN, a failing server and
/// a record that appears later.
@Suite struct DNSJoinTests {
    /// What a resolution gave, for the test thread.
    struct Resolved: Sendable {
        var targets: Set<String>
        var failures: [String]
        var lookups: Int
        var failedLookups: Int
        var results: [String: Int]
    }

    /// Resolves `entries` once with a fresh provider on a fresh loop thread.
    static func resolve(_ entries: [String], resolvConf: String) async throws -> Resolved {
        let seeds = try entries.map { try JoinSeed.parse($0).get() }
        let loop = try EventLoop.startThread(name: "dns-join-test")
        defer {
            loop.stop()
            _ = loop.join()
        }
        return try await withCheckedThrowingContinuation { continuation in
            let queued = loop.execute { loop in
                let provider = JoinAddressProvider(loop: loop, resolvConfPath: resolvConf)
                provider.resolve(seeds) { resolution in
                    provider.close()
                    continuation.resume(returning: Resolved(
                        targets: Set(resolution.targets.map { "\($0.address)" }), failures: resolution.failures,
                        lookups: resolution.lookups, failedLookups: resolution.failedLookups,
                        results: resolution.resultsPerEntry))
                }
            }
            if !queued { continuation.resume(throwing: EventLoopError.shutDown) }
        }
    }

    @Test func everyJoinFormResolvesToItsAddresses() async throws {
        let server = try await DnsmasqServer(
            hosts: ["a.cluster.test": ["127.0.0.2", "fd00::a"], "b.cluster.test": ["127.0.0.3"]],
            services: [DnsmasqServer.Service("_gossip._tcp.cluster.test", target: "a.cluster.test", port: 7001),
                       DnsmasqServer.Service("_gossip._tcp.cluster.test", target: "b.cluster.test", port: 7002)])
        let resolved = try await Self.resolve([
            "10.9.9.9:7000", "[fd00::9]:7000", "b.cluster.test:7100", "dns+a.cluster.test:7200",
            "dnssrv+_gossip._tcp.cluster.test", "dnssrvnoa+_gossip._tcp.cluster.test:7300",
            "dns+missing.cluster.test:7400", "dnssrv+_gossip._tcp.missing.cluster.test",
        ], resolvConf: server.resolvConfPath)
        #expect(resolved.targets == [
            "10.9.9.9:7000", "[fd00::9]:7000", "127.0.0.3:7100", "127.0.0.2:7200", "[fd00::a]:7200",
            "127.0.0.2:7001", "[fd00::a]:7001", "127.0.0.3:7002",
            "127.0.0.2:7300", "[fd00::a]:7300", "127.0.0.3:7300",
        ])
        #expect(resolved.failures.isEmpty)
        // b, dns+a, dnssrv+, dnssrvnoa+ and its two targets, the two missing names.
        #expect(resolved.lookups == 8 && resolved.failedLookups == 0)
        #expect(resolved.results == [
            "b.cluster.test:7100": 1, "dns+a.cluster.test:7200": 2, "dnssrv+_gossip._tcp.cluster.test": 3,
            "dnssrvnoa+_gossip._tcp.cluster.test:7300": 2, "a.cluster.test:7300": 2, "b.cluster.test:7300": 1,
            "dns+missing.cluster.test:7400": 0, "dnssrv+_gossip._tcp.missing.cluster.test": 0,
        ])
    }

    /// A node on 127.0.0.1 with a kernel-chosen port, resolving with `resolvConf`.
    static func startNode(_ name: String, resolvConf: String) async throws -> (NodeHandle, UInt16) {
        let config = try NodeConfig.parse([
            "-memberlist.transport=udp", "-memberlist.bind-addr=127.0.0.1", "-memberlist.bind-port=0",
            "-memberlist.nodename=\(name)", "-memberlist.randomize-node-name=false",
            "-memberlist.dns-resolv-conf=\(resolvConf)",
        ])
        let node = try await NodeHandle.start(config, logger: Logger(level: .error))
        let port = try #require(node.advertisedAddress.split(separator: ":").last.flatMap { UInt16($0) })
        return (node, port)
    }

    /// The node side of dskit's provider: a failed lookup joins the previous
    /// addresses; a record added later is found by the next join.
    @Test func joinsReuseTheLastAnswerAndFindLaterRecords() async throws {
        let server = try await DnsmasqServer(hostsFileLines: ["127.0.0.1 seed.cluster.test"])
        let (seed, seedPort) = try await Self.startNode("seed", resolvConf: server.resolvConfPath)
        let (joiner, _) = try await Self.startNode("joiner", resolvConf: server.resolvConfPath)
        let late = "dns+late.cluster.test:\(seedPort)"
        let first = await joiner.join(["dns+seed.cluster.test:\(seedPort)", late])
        #expect(first.successes == 1)
        var counters = await joiner.counters()
        #expect(counters.dnsLookups == 2 && counters.dnsFailures == 0)
        #expect(counters.dnsProviderResults == ["dns+seed.cluster.test:\(seedPort)": 1, late: 0])

        try await server.addHostsLine("127.0.0.1 late.cluster.test")
        _ = await joiner.join([late])
        counters = await joiner.counters()
        #expect(counters.dnsProviderResults == [late: 1])

        server.stop()
        let third = await joiner.join([late])
        #expect(third.successes == 1, "the previous answer is joined: \(third.failures)")
        #expect(third.failures.count == 1 && third.failures[0].hasPrefix("\(late): DNS lookup of late.cluster.test"))
        counters = await joiner.counters()
        #expect(counters.dnsLookups == 4 && counters.dnsFailures == 1)
        #expect(counters.dnsProviderResults == [late: 1])
        await joiner.shutdown()
        await seed.shutdown()
    }
}
