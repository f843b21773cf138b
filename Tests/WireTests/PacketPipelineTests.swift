import Testing
@testable import Wire

/// The UDP pipeline's layering (memberlist-wire.md §3.1-3.5, §5, §12).
@Suite struct PacketPipelineTests {
    static let key: [UInt8] = Array(0x00...0x0f)
    static let ping = MessageVectorTests.ping
    static let alive = MessageVectorTests.alive

    func encode(_ message: Message, _ security: PacketSecurity, crc: Bool? = nil) throws -> [UInt8] {
        var scratch = WireBuffer(capacity: 1400), out = WireBuffer(capacity: 1400)
        try PacketEncoder.encode(message, security: security, crc: crc, scratch: &scratch, into: &out)
        return out.bytes
    }

    @Test func plainPacketIsTheMessage() throws {
        let bytes = try encode(Self.ping, PacketSecurity())
        #expect(bytes == hex(MessageVectorTests.pingHex))
        #expect(try PacketDecoder.decodeAll(bytes, security: PacketSecurity()) == [Self.ping])
    }

    @Test func crcLayerMatchesVectorAndIsVerified() throws {
        var bytes = try encode(Self.ping, PacketSecurity(), crc: true)
        #expect(Array(bytes.prefix(5)) == hex("0ca73542e9"))
        #expect(try PacketDecoder.decodeAll(bytes, security: PacketSecurity()) == [Self.ping])
        bytes[20] ^= 0x40
        #expect(throws: PacketError.self) { try PacketDecoder.decodeAll(bytes, security: PacketSecurity()) }
    }

    @Test func labelLayer() throws {
        let prod = PacketSecurity(label: Array("prod".utf8))
        let bytes = try encode(Self.ping, prod)
        #expect(Array(bytes.prefix(6)) == [0xf4, 4] + Array("prod".utf8))
        #expect(try PacketDecoder.decodeAll(bytes, security: prod) == [Self.ping])
        #expect(throws: PacketError.labelMismatch(expected: Array("dev".utf8), found: Array("prod".utf8))) {
            try PacketDecoder.decodeAll(bytes, security: PacketSecurity(label: Array("dev".utf8)))
        }
        #expect(throws: PacketError.labelMismatch(expected: [], found: Array("prod".utf8))) {
            try PacketDecoder.decodeAll(bytes, security: PacketSecurity())
        }
        #expect(throws: PacketError.missingLabel(expected: Array("prod".utf8))) {
            try PacketDecoder.decodeAll(hex(MessageVectorTests.pingHex), security: prod)
        }
        var skip = prod
        skip.skipInboundLabelCheck = true
        #expect(throws: PacketError.unexpectedLabel(found: Array("prod".utf8))) { try PacketDecoder.decodeAll(bytes, security: skip) }
        #expect(try PacketDecoder.decodeAll(hex(MessageVectorTests.pingHex), security: skip) == [Self.ping])
    }

    @Test func compressionOnlyWhenStrictlySmaller() throws {
        let security = PacketSecurity(compress: true)
        // The ping does not shrink: sent as is.
        #expect(try encode(Self.ping, security) == hex(MessageVectorTests.pingHex))
        let user = Message.user([UInt8](repeating: 0x61, count: 600))
        let bytes = try encode(user, security)
        #expect(bytes.first == MessageType.compress.rawValue)
        #expect(bytes.count < 600)
        #expect(try PacketDecoder.decodeAll(bytes, security: PacketSecurity()) == [user])
        // CRC goes outside compression.
        let withCRC = try encode(user, security, crc: true)
        #expect(withCRC.first == MessageType.hasCrc.rawValue && withCRC[5] == MessageType.compress.rawValue)
        #expect(try PacketDecoder.decodeAll(withCRC, security: PacketSecurity()) == [user])
    }




    @Test func disallowedAndUnknownTypes() throws {
        let none = PacketSecurity()
        var pushPull = WireBuffer()
        Message.pushPull(PushPullState(join: false, nodes: [])).encode(into: &pushPull)
        #expect(throws: PacketError.disallowedType(.pushPull, depth: 0)) { try PacketDecoder.decodeAll(pushPull.bytes, security: none) }
        #expect(throws: PacketError.disallowedType(.encrypt, depth: 0)) { try PacketDecoder.decodeAll([0x0a, 0, 0, 0, 0], security: none) }
        #expect(throws: PacketError.disallowedType(.err, depth: 0)) { try PacketDecoder.decodeAll(Message.error(ErrorResponse(error: "x")).encodedBytes, security: none) }
        #expect(throws: PacketError.unknownType(14)) { try PacketDecoder.decodeAll([14], security: none) }
        #expect(throws: PacketError.empty) { try PacketDecoder.decodeAll([], security: none) }
        // A CRC wrapper inside a CRC wrapper is not the outer layer any more.
        var inner = WireBuffer()
        hex(MessageVectorTests.pingHex).withUnsafeBytes { ChecksumHeader.encode($0, into: &inner) }
        var outer = WireBuffer()
        inner.withUnsafeBytes { ChecksumHeader.encode($0, into: &outer) }
        #expect(throws: PacketError.disallowedType(.hasCrc, depth: 0)) { try PacketDecoder.decodeAll(outer.bytes, security: none) }
    }

    @Test func compoundPartsAreVisitedAndBadPartsCounted() throws {
        var buffer = WireBuffer()
        try Compound.encode(parts: [Self.ping.encodedBytes, [0x0d, 0x80], Self.alive.encodedBytes, [0x02]], into: &buffer)
        var seen: [Message] = []
        let report = try buffer.bytes.withUnsafeBytes { raw in
            try PacketDecoder.decode(raw, security: PacketSecurity()) { seen.append($0) }
        }
        #expect(seen == [Self.ping, Self.alive])
        #expect(report.delivered == 2 && report.droppedParts == 2)
        #expect(report.firstPartError == .disallowedType(.err, depth: 1))
    }

    @Test func compressedCompoundInsideCompound() throws {
        var inner = WireBuffer()
        try Compound.encode(parts: [Self.ping.encodedBytes, Self.alive.encodedBytes], into: &inner)
        let compressed = [0x09] + CompressedPayload(algorithm: 0, buffer: LZW.compress(inner.bytes)).messagePackBytes
        var outer = WireBuffer()
        try Compound.encode(parts: [compressed, Message.nack(NackResponse(seqNo: 3)).encodedBytes], into: &outer)
        #expect(try PacketDecoder.decodeAll(outer.bytes, security: PacketSecurity()) == [Self.ping, Self.alive, .nack(NackResponse(seqNo: 3))])
    }

    @Test func nestingBombIsRefused() throws {
        var bytes = Self.ping.encodedBytes
        for _ in 0..<20 {
            var buffer = WireBuffer()
            try Compound.encode(parts: [bytes], into: &buffer)
            bytes = buffer.bytes
        }
        #expect(throws: PacketError.nestingTooDeep(limit: WireLimits.maxPacketNesting)) {
            try PacketDecoder.decodeAll(bytes, security: PacketSecurity())
        }
    }

    @Test func compressGarbageAndUnknownAlgorithm() {
        let garbage = [0x09] + CompressedPayload(algorithm: 0, buffer: [0xff, 0xff, 0xff]).messagePackBytes
        #expect(throws: PacketError.self) { try PacketDecoder.decodeAll(garbage, security: PacketSecurity()) }
        let unknown = [0x09] + CompressedPayload(algorithm: 5, buffer: [0]).messagePackBytes
        #expect(throws: PacketError.unknownCompression(algorithm: 5)) { try PacketDecoder.decodeAll(unknown, security: PacketSecurity()) }
        let empty = [0x09] + CompressedPayload(algorithm: 0, buffer: hex("000302")).messagePackBytes
        #expect(throws: PacketError.emptyDecompressed) { try PacketDecoder.decodeAll(empty, security: PacketSecurity()) }
        #expect(throws: PacketError.self) { try PacketDecoder.decodeAll([0x09, 0x81], security: PacketSecurity()) }
    }

}
