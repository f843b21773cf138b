import Glibc
import Testing

extension ProcessClusterTests {
    /// A join given as `host:port` (README, `-memberlist.join`) resolves through c-ares on
    /// the event loop, /etc/hosts first, in the fully static binary, on both transports.
    @Suite struct HostnameJoinTests {
        @Test(arguments: ["tcp", "udp"])
        func joinsASeedGivenByHostname(transport: String) async throws {
            let seed = try await MemberlistdProcess.launch(name: "host-seed-\(transport)", transport: transport)
            let seedPort = try #require(seed.address.split(separator: ":").last)
            let joiner = try await MemberlistdProcess.launch(name: "host-join-\(transport)", transport: transport,
                                                             join: ["localhost:\(seedPort)"])
            let both = ["host-seed-\(transport)": "alive", "host-join-\(transport)": "alive"]
            try await seed.waitForMembers("2 alive") { $0 == both }
            try await joiner.waitForMembers("2 alive") { $0 == both }
            for node in [seed, joiner] { _ = await node.stop(SIGKILL) }
        }
    }
}
