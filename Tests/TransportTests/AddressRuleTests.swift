import EventLoop
import Testing
@testable import Transport
import Wire

/// dskit-kv-ring.md §1 "Advertise address" and Go's JoinHostPort form.
@Suite struct AddressRuleTests {
    func interface(_ ip: String, up: Bool = true, loopback: Bool = false) throws -> InterfaceAddress {
        InterfaceAddress(interfaceName: "test0", address: try #require(SocketAddress(ip: ip, port: 0)),
                         isUp: up, isLoopback: loopback)
    }

    @Test func explicitAdvertiseAddressUsesAdvertisePort() throws {
        let resolved = try AdvertiseAddressRule.resolve(
            advertiseAddress: IPAddress(10, 1, 2, 3), advertisePort: 7946,
            firstBindAddress: try #require(SocketAddress(ip: "0.0.0.0", port: 0)), boundPort: 40_000,
            interfaces: [])
        #expect(resolved.description == "10.1.2.3:7946")
    }

    @Test func ipv4MappedAdvertiseAddressIsWrittenAsIPv4() throws {
        let resolved = try AdvertiseAddressRule.resolve(
            advertiseAddress: IPAddress(parsing: "::ffff:10.1.2.3"), advertisePort: 8000,
            firstBindAddress: try #require(SocketAddress(ip: "0.0.0.0", port: 0)), boundPort: 1, interfaces: [])
        #expect(resolved.description == "10.1.2.3:8000")
    }

    @Test func unspecifiedIPv4PicksFirstPrivateAddressOfAnUpInterfaceWithBoundPort() throws {
        let interfaces = [
            try interface("127.0.0.1", loopback: true),
            try interface("8.8.8.8"),
            try interface("192.168.5.5", up: false),
            try interface("172.20.0.7"),
            try interface("10.0.0.1"),
        ]
        let resolved = try AdvertiseAddressRule.resolve(
            advertiseAddress: nil, advertisePort: 7946,
            firstBindAddress: try #require(SocketAddress(ip: "0.0.0.0", port: 0)), boundPort: 41_000,
            interfaces: interfaces)
        #expect(resolved.description == "172.20.0.7:41000")
    }

    @Test func unspecifiedIPv4WithoutPrivateAddressIsAnError() throws {
        #expect(throws: TransportError.self) {
            try AdvertiseAddressRule.resolve(
                advertiseAddress: nil, advertisePort: 7946,
                firstBindAddress: try #require(SocketAddress(ip: "0.0.0.0", port: 0)), boundPort: 1,
                interfaces: [try interface("127.0.0.1", loopback: true), try interface("8.8.8.8"),
                             try interface("172.32.0.1")])
        }
    }

    @Test func unspecifiedIPv6PicksFirstGlobalIPv6() throws {
        let resolved = try AdvertiseAddressRule.resolve(
            advertiseAddress: nil, advertisePort: 7946,
            firstBindAddress: try #require(SocketAddress(ip: "::", port: 0)), boundPort: 7947,
            interfaces: [try interface("::1", loopback: true), try interface("fe80::1"),
                         try interface("10.0.0.1"), try interface("2001:db8::5")])
        #expect(resolved.description == "[2001:db8::5]:7947")
    }

    @Test func specificBindAddressIsAdvertisedWithBoundPort() throws {
        let resolved = try AdvertiseAddressRule.resolve(
            advertiseAddress: nil, advertisePort: 7946,
            firstBindAddress: try #require(SocketAddress(ip: "127.0.0.1", port: 0)), boundPort: 5555,
            interfaces: [])
        #expect(resolved.description == "127.0.0.1:5555")
    }

    @Test func advertiseAddressOfNeither4Nor16BytesIsNamed() throws {
        let bad = try #require(IPAddress(bytes: [10, 1, 2]))
        #expect(throws: TransportError.invalidAdvertiseAddress("\(bad)")) {
            try AdvertiseAddressRule.resolve(
                advertiseAddress: bad, advertisePort: 7946,
                firstBindAddress: try #require(SocketAddress(ip: "0.0.0.0", port: 0)), boundPort: 1, interfaces: [])
        }
    }

    @Test func hostInterfacesIncludeLoopback() throws {
        let all = try InterfaceAddress.current()
        #expect(all.contains { $0.isLoopback && $0.address.ipString == "127.0.0.1" })
    }

    @Test(arguments: [
        ("127.0.0.1:7946", "127.0.0.1:7946"),
        ("[::1]:80", "[::1]:80"),
        ("[2001:db8::1]:65535", "[2001:db8::1]:65535"),
        ("10.0.0.1:0", "10.0.0.1:0"),
    ])
    func parsesJoinHostPortForm(text: String, expected: String) throws {
        #expect(SocketAddress(hostPort: text)?.description == expected)
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.1:", ":80", "::1:80", "[::1]", "[127.0.0.1]:80", "1.2.3.4:65536",
                      "1.2.3.4:-1", "host:80", "[::1:80", "1.2.3.4:8a", "1.2.3\u{0}.4:80"])
    func rejectsMalformedHostPort(text: String) {
        #expect(SocketAddress(hostPort: text) == nil)
    }

    @Test func mapsBetweenIPv4AndMappedIPv6() throws {
        let v4 = try #require(SocketAddress(ip: "192.0.2.7", port: 99))
        let mapped = v4.mappingToIPv6
        #expect(mapped.family == .ipv6)
        #expect(mapped.ipString == "::ffff:192.0.2.7")
        #expect(mapped.unmappingIPv4 == v4)
        let v6 = try #require(SocketAddress(ip: "2001:db8::1", port: 1))
        #expect(v6.unmappingIPv4 == v6)
    }
}
