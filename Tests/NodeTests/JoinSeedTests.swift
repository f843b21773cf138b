import Config
import Testing
import Wire

/// `-memberlist.join` entries in every form dskit accepts (dskit-kv-ring.md §4).
@Suite struct JoinSeedTests {
    func seed(_ entry: String) throws -> JoinSeed { try JoinSeed.parse(entry).get() }

    @Test func plainEntriesKeepTheirShape() throws {
        #expect(try seed("10.0.0.1") == JoinSeed(host: "10.0.0.1", port: 7946, ip: IPAddress(10, 0, 0, 1)))
        #expect(try seed("node-a/seed.example:7000") == JoinSeed(name: "node-a", host: "seed.example", port: 7000))
        #expect(try seed("[fd00::1]:9000").ip?.count == 16)
        #expect(try seed("fd00::1").port == 7946)
        #expect(try seed("seed.example").description == "seed.example:7946")
    }

    @Test func dnsFormsCarryTheirPrefixAndPortRule() throws {
        let addresses = try seed("dns+memberlist.ns.svc.cluster.local.:7946")
        #expect(addresses == JoinSeed(host: "memberlist.ns.svc.cluster.local.", port: 7946, discovery: .addresses))
        #expect(addresses.description == "dns+memberlist.ns.svc.cluster.local.:7946")
        #expect(try seed("dns+[fd00::2]:7000").ip?.count == 16)
        let service = try seed("dnssrv+_memberlist._tcp.ns.svc")
        #expect(service == JoinSeed(host: "_memberlist._tcp.ns.svc", port: nil, discovery: .service))
        #expect(service.description == "dnssrv+_memberlist._tcp.ns.svc")
        #expect(try seed("dnssrv+_memberlist._tcp.ns.svc:8000").port == 8000)
        let targets = try seed("dnssrvnoa+_memberlist._tcp.ns.svc:8000")
        #expect(targets == JoinSeed(host: "_memberlist._tcp.ns.svc", port: 8000, discovery: .serviceTargets))
    }

    @Test func badEntriesAreRefused() {
        #expect(JoinSeed.parse("dns+host") == .failure(.malformedDiscovery(.addresses, "the port is mandatory")))
        #expect(JoinSeed.parse("dns+:7946") == .failure(.malformedDiscovery(.addresses, "no name")))
        #expect(JoinSeed.parse("srv+x") == .failure(.unknownPrefix("srv+")))
        #expect(JoinSeed.parse("+x") == .failure(.unknownPrefix("+")))
        #expect(JoinSeed.parse("dnssrv+[fd00::1") == .failure(.malformedDiscovery(.service, "missing ']'")))
        #expect(JoinSeed.parse("fd00::1:x:7946/") == .failure(.malformed("no host")))
    }
}
