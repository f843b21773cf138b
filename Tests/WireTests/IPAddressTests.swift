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
}
