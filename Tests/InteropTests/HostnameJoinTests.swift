import Glibc
import NetworkTestSupport
import Testing

extension ProcessClusterTests {
    /// A join given as `host:port` (README, `-memberlist.join`) resolves through c-ares on
    /// the event loop, /etc/hosts first, in the fully static binary, on both transports.
    @Suite struct HostnameJoinTests {
        @Test(arguments: ["tcp", "udp"])
        func joinsASeedGivenByHostname(transport: String) async throws {
            let ports = try PortAllocator.freePorts(2)
            let seed = try MemberlistdProcess(name: "host-seed-\(transport)", port: ports[0], transport: transport)
            try await Task.sleep(for: .milliseconds(300))
            let joiner = try MemberlistdProcess(name: "host-join-\(transport)", port: ports[1], transport: transport,
                                                join: ["localhost:\(ports[0])"])
            let both = ["host-seed-\(transport)": "alive", "host-join-\(transport)": "alive"]
            try await seed.waitForMembers("2 alive") { $0 == both }
            try await joiner.waitForMembers("2 alive") { $0 == both }
            for node in [seed, joiner] { _ = await node.stop(SIGKILL) }
        }
    }
}
