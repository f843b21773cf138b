import Testing
@testable import Wire

@Suite struct DskitPacketFrameTests {
    @Test func md5MatchesRFC1321Vectors() {
        let empty = [UInt8]().withUnsafeBytes { MD5Digest(of: $0) }
        #expect(empty.bytes == hex("d41d8cd98f00b204e9800998ecf8427e"))
        let abc = Array("abc".utf8).withUnsafeBytes { MD5Digest(of: $0) }
        #expect(abc.bytes == hex("900150983cd24fb0d6963f7d28e17f72"))
    }

    @Test func encodesMarkerAddressPayloadDigest() throws {
        var buffer = WireBuffer(capacity: 64)
        try DskitPacketFrame.encode(address: "10.0.0.1:7946", payload: Array("abc".utf8), into: &buffer)
        let expected = [0x01, 13] + Array("10.0.0.1:7946".utf8) + Array("abc".utf8) + hex("900150983cd24fb0d6963f7d28e17f72")
        #expect(buffer.bytes == expected)
    }

    @Test func decodeRoundTripsAndChecksDigest() throws {
        var buffer = WireBuffer()
        let payload: [UInt8] = [0x08, 1, 2, 3, 4]
        try DskitPacketFrame.encode(address: "[::1]:7946", payload: payload, into: &buffer)
        var bytes = buffer.bytes
        try bytes.withUnsafeBytes { raw in
            let packet = try DskitPacketFrame.decode(raw)
            #expect(packet.addressString == "[::1]:7946")
            #expect(Array(packet.payload) == payload)
            #expect(packet.digestMatches)
        }
        // A flipped digest byte is reported but the packet is still delivered (dskit behaviour).
        bytes[bytes.count - 1] ^= 0xff
        try bytes.withUnsafeBytes { raw in
            let packet = try DskitPacketFrame.decode(raw)
            #expect(!packet.digestMatches)
            #expect(Array(packet.payload) == payload)
        }
    }

    @Test func emptyPayloadIsLegal() throws {
        var buffer = WireBuffer()
        try DskitPacketFrame.encode(address: "a", payload: [], into: &buffer)
        #expect(buffer.count == 2 + 1 + 16)
        try buffer.bytes.withUnsafeBytes { raw in
            let packet = try DskitPacketFrame.decode(raw)
            #expect(packet.payload.isEmpty && packet.digestMatches)
        }
    }

    @Test func malformedConnectionsAreTypedErrors() {
        func decode(_ bytes: [UInt8]) -> DskitFrameError? {
            bytes.withUnsafeBytes { (raw) -> DskitFrameError? in
                do throws(DskitFrameError) { _ = try DskitPacketFrame.decode(raw); return nil } catch { return error }
            }
        }
        #expect(decode([]) == .empty)
        #expect(decode([0x02]) == .notAPacket(found: 0x02))
        #expect(decode([0x07]) == .unknownConnectionType(0x07))
        #expect(decode([0x01]) == .truncatedAddress(declared: -1, available: 0))
        #expect(decode([0x01, 5, 0x31]) == .truncatedAddress(declared: 5, available: 1))
        #expect(decode([0x01, 1, 0x31] + [UInt8](repeating: 0, count: 15)) == .missingDigest(available: 15))
        #expect(decode([0x01, 0] + [UInt8](repeating: 0, count: 16)) == nil)
    }

    @Test func addressLongerThan255IsRefused() {
        var buffer = WireBuffer()
        #expect(throws: DskitFrameError.addressTooLong(length: 256)) {
            try DskitPacketFrame.encode(address: String(repeating: "1", count: 256), payload: [], into: &buffer)
        }
    }

    @Test func connectionKindClassification() throws {
        #expect(try DskitConnectionKind.classify(1) == .packet)
        #expect(try DskitConnectionKind.classify(2) == .stream)
        #expect(throws: DskitFrameError.unknownConnectionType(0)) { try DskitConnectionKind.classify(0) }
    }
}
