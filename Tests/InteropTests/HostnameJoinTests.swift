import Glibc
import NetworkTestSupport
import Testing

extension ProcessClusterTests {
    /// memberlistd is linked fully static, and a static glibc's getaddrinfo loads the NSS
    /// modules of the installed glibc at run time: a join given as `host:port` (README,
    /// `-memberlist.join`) must still resolve, off the event loop, on both transports.
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
