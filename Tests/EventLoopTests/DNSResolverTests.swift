import Foundation
import NetworkTestSupport
import Testing
@testable import EventLoop

/// `DNSResolver` against a real dnsmasq on loopback (ARCHITECTURE.md, "DNS").
@Suite struct DNSResolverTests {
    /// What a lookup gave, in a Sendable form for the test thread.
    enum Answer: Equatable, Sendable {
        case addresses(Set<String>)
        case services([DNSServiceRecord])
        case failure(DNSError.Kind)
    }

    static func answer(_ result: Result<[SocketAddress], DNSError>) -> Answer {
        switch result {
        case .success(let addresses): .addresses(Set(addresses.map(\.description)))
        case .failure(let error): .failure(error.kind)
        }
    }

    /// Runs one address lookup on a fresh loop and resolver.
    func addresses(_ name: String, port: UInt16 = 7946, resolvConf: String) async throws -> Answer {
        try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Answer) -> Void) in
                let resolver = try DNSResolver(loop: loop, options: .init(resolvConfPath: resolvConf))
                resolver.lookupAddresses(name, port: port) { result in
                    withExtendedLifetime(resolver) { finish(Self.answer(result)) }
                }
            }
        }
    }

    func services(_ name: String, resolvConf: String) async throws -> Answer {
        try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Answer) -> Void) in
                let resolver = try DNSResolver(loop: loop, options: .init(resolvConfPath: resolvConf))
                resolver.lookupService(name) { result in
                    withExtendedLifetime(resolver) {
                        switch result {
                        case .success(let records): finish(.services(records.sorted { $0.port < $1.port }))
                        case .failure(let error): finish(.failure(error.kind))
                        }
                    }
                }
            }
        }
    }

    @Test func resolvesEveryAddressAndServiceRecord() async throws {
        let server = try await DnsmasqServer(
            hosts: ["both.cluster.test": ["10.1.0.1", "fd00::1"], "v6.cluster.test": ["fd00::6"]],
            services: [DnsmasqServer.Service("_gossip._tcp.cluster.test", target: "both.cluster.test", port: 7001),
                       DnsmasqServer.Service("_gossip._tcp.cluster.test", target: "v6.cluster.test", port: 7002,
                                             priority: 20, weight: 5)],
            hostsFileLines: ["10.1.0.2 file.cluster.test", "10.1.0.3 file.cluster.test"])
        let conf = server.resolvConfPath
        #expect(try await addresses("both.cluster.test", port: 7001, resolvConf: conf)
            == .addresses(["10.1.0.1:7001", "[fd00::1]:7001"]))
        #expect(try await addresses("v6.cluster.test", resolvConf: conf) == .addresses(["[fd00::6]:7946"]))
        #expect(try await addresses("file.cluster.test", resolvConf: conf)
            == .addresses(["10.1.0.2:7946", "10.1.0.3:7946"]))
        #expect(try await services("_gossip._tcp.cluster.test", resolvConf: conf) == .services([
            DNSServiceRecord(target: "both.cluster.test", port: 7001, priority: 10, weight: 10),
            DNSServiceRecord(target: "v6.cluster.test", port: 7002, priority: 20, weight: 5),
        ]))
    }

    @Test func unknownNamesAreEmptyNotErrors() async throws {
        let server = try await DnsmasqServer(hosts: ["known.cluster.test": ["10.1.0.1"]])
        let conf = server.resolvConfPath
        #expect(try await addresses("missing.cluster.test", resolvConf: conf) == .addresses([]))
        #expect(try await services("_gossip._tcp.missing.cluster.test", resolvConf: conf) == .services([]))
        // The name exists but has no SRV record (NOERROR, no answer).
        #expect(try await services("known.cluster.test", resolvConf: conf) == .services([]))
    }

    @Test func aStoppedServerIsAFailure() async throws {
        let server = try await DnsmasqServer(hosts: ["known.cluster.test": ["10.1.0.1"]])
        #expect(try await addresses("known.cluster.test", resolvConf: server.resolvConfPath)
            == .addresses(["10.1.0.1:7946"]))
        server.stop()
        let after = try await addresses("known.cluster.test", resolvConf: server.resolvConfPath)
        #expect(after == .failure(.failed) || after == .failure(.timeout))
    }

    @Test func aRecordAddedLaterIsFoundOnTheNextLookup() async throws {
        let server = try await DnsmasqServer(hostsFileLines: ["10.1.0.1 first.cluster.test"])
        #expect(try await addresses("late.cluster.test", resolvConf: server.resolvConfPath) == .addresses([]))
        try await server.addHostsLine("10.1.0.9 late.cluster.test")
        #expect(try await addresses("late.cluster.test", resolvConf: server.resolvConfPath)
            == .addresses(["10.1.0.9:7946"]))
    }

    /// A server that never answers: the loop keeps running timers while the
    /// lookup waits, and the lookup ends with c-ares' timeout (1 s, 1 attempt).
    @Test func aSilentServerDoesNotBlockTheLoop() async throws {
        let silent = try SilentUDPServer()
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let conf = try silentResolvConf(silent, in: directory)

        let (answer, ticks, waited) = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ((Answer, Int, Duration)) -> Void) in
                let resolver = try DNSResolver(loop: loop, options: .init(resolvConfPath: conf))
                var ticks = 0
                var tick: ((EventLoop) -> Void)?
                tick = { loop in
                    ticks += 1
                    if let tick { loop.schedule(after: .milliseconds(10), tick) }
                }
                loop.schedule(after: .milliseconds(10)) { tick?($0) }
                let start = loop.now
                resolver.lookupAddresses("slow.cluster.test", port: 1) { result in
                    tick = nil
                    let waited = start.duration(to: loop.now)
                    finish((Self.answer(result), ticks, waited))
                    resolver.close()
                }
            }
        }
        #expect(answer == .failure(.timeout))
        #expect(waited >= .milliseconds(900))
        // About 100 ticks in a second when the loop is free; a blocked loop would give ~0.
        #expect(ticks >= 20, "loop timer ticks while the lookup waited: \(ticks)")
    }

    @Test func closingCancelsLookupsAndClosesSockets() async throws {
        let silent = try SilentUDPServer()
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let conf = try silentResolvConf(silent, in: directory)
        let outcome = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ((Answer, Int, Int)) -> Void) in
                let resolver = try DNSResolver(loop: loop, options: .init(resolvConfPath: conf))
                resolver.lookupAddresses("slow.cluster.test", port: 1) { result in
                    finish((Self.answer(result), 0, resolver.openSocketCount))
                }
                loop.schedule(after: .milliseconds(50)) { _ in
                    let open = resolver.openSocketCount
                    resolver.close()
                    #expect(open == 1)
                }
            }
        }
        #expect(outcome.0 == .failure(.cancelled))
        #expect(outcome.2 == 0)
    }

    @Test func anUnreadableResolvConfIsASetupError() async throws {
        let kind = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (DNSError.Kind?) -> Void) in
                do {
                    _ = try DNSResolver(loop: loop, options: .init(resolvConfPath: "/nonexistent/resolv.conf"))
                    finish(nil)
                } catch let error as DNSError {
                    finish(error.kind)
                }
            }
        }
        #expect(kind == .setup)
    }

    @Test func resolvConfSettingsThatCAres118MissesAreReadHere() {
        let bare = ResolvConfOverrides("nameserver 10.0.0.1\nsearch x\n")
        #expect(bare.serversWithPorts == nil && bare.timeout == .seconds(5) && bare.attempts == 2)
        let ported = ResolvConfOverrides("# c\nnameserver 127.0.0.1:5353\nnameserver 10.0.0.1\noptions ndots:2 timeout:1 attempts:3\n")
        #expect(ported.serversWithPorts == ["127.0.0.1:5353", "10.0.0.1"])
        #expect(ported.timeout == .seconds(1) && ported.attempts == 3)
        #expect(ResolvConfOverrides("nameserver\t[::1]:53\n").serversWithPorts == ["[::1]:53"])
        let capped = ResolvConfOverrides("options timeout:99 attempts:0\n")
        #expect(capped.timeout == .seconds(30) && capped.attempts == 1)
    }

    /// A resolv.conf in `directory` naming `silent` as the only server.
    func silentResolvConf(_ silent: SilentUDPServer, in directory: URL) throws -> String {
        let conf = directory.appendingPathComponent("resolv.conf").path
        try DnsmasqServer.writeResolvConf(at: conf, server: "127.0.0.1:\(silent.port)")
        return conf
    }

    func makeScratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("memberlistd-dns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
