import Testing
@testable import Wire

@Suite struct IPAddressTests {
    @Test func ipv4RoundTripsItsBytes() {
        let address = IPAddress(10, 0, 0, 1)
        #expect(address.bytes == [10, 0, 0, 1])
        #expect(address.description == "10.0.0.1")
    }

    @Test func mappedIPv4PrintsDotted() throws {
        let mapped = try #require(IPAddress(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]))
        #expect(mapped.isIPv4Mapped)
        #expect(mapped.description == "127.0.0.1")
        #expect(mapped != IPAddress(127, 0, 0, 1))
    }

    @Test func ipv6CompressesZeros() throws {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes[15] = 1
        #expect(try #require(IPAddress(bytes: bytes)).description == "::1")
    }

    @Test func rejectsMoreThanSixteenBytes() {
        #expect(IPAddress(bytes: [UInt8](repeating: 1, count: 17)) == nil)
    }

    /// The one IP text parser (flags, join seeds, bind/advertise addresses, dskit headers).
    @Test func parsesIPLiteralsOnly() throws {
        #expect(IPAddress(parsing: "10.1.2.3") == IPAddress(10, 1, 2, 3))
        let v6 = try #require(IPAddress(parsing: "fe80::1"))
        #expect(v6.count == 16 && v6[0] == 0xfe && v6[15] == 1)
        #expect(IPAddress(parsing: "[::1]")?.description == "::1")
        #expect(IPAddress(parsing: "::ffff:10.0.0.1")?.isIPv4Mapped == true)
        for bad in ["", "localhost", "1.2.3", "010.1.2.3", "1.2.3.4 ", "fe80::1%eth0", "[::1", "::1]", "1.2.3.4\u{0}"] {
            #expect(IPAddress(parsing: bad) == nil, "\(bad)")
        }
        let raw: [UInt8] = Array("[::1]".utf8)
        #expect(raw.withUnsafeBytes { IPAddress(parsing: $0) } == nil, "brackets are a String-form nicety")
        #expect(IPAddress(parsing: String(repeating: "1", count: 100)) == nil)
    }
}
