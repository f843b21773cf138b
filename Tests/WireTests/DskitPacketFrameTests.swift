import Testing
@testable import Wire

@Suite struct DskitPacketFrameTests {
    /// The whole test suite of RFC 1321 appendix A.5 (covers 0, 1, 3, 14, 26,
    /// 62 and 80 bytes: one and two 64-byte blocks, padding on both sides of 56).
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5MatchesRFC1321Vectors(input: String, digest: String) {
        let computed = Array(input.utf8).withUnsafeBytes { MD5Digest(of: $0) }
        #expect(computed.bytes == hex(digest))
    }

    @Test func md5OfEmptyBufferWithoutBaseAddress() {
        let computed = MD5Digest(of: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(computed.bytes == hex("d41d8cd98f00b204e9800998ecf8427e"))
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
