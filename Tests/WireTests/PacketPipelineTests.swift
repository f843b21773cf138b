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

    @Test func encryptionVectorDecodesThroughThePipeline() throws {
        let keyring = try Keyring(keys: [Self.key])
        let nonce: [UInt8] = Array(0x64...0x6f)
        let plaintext = hex("0ca73542e9") + hex(MessageVectorTests.pingHex)
        let sealed = try keyring.encrypt(plaintext, version: .plain, additionalData: EncryptionAAD.packet(label: []), nonce: nonce)
        #expect(Array(sealed.prefix(13)) == [1] + nonce)
        #expect(Array(sealed.suffix(16)) == hex("0934a0bfdfb56f36d2ed317c5df474c5"))
        #expect(try PacketDecoder.decodeAll(sealed, security: PacketSecurity(keyring: keyring)) == [Self.ping])

        let label = Array("prod".utf8)
        let labelled = try keyring.encrypt(plaintext, version: .plain, additionalData: EncryptionAAD.packet(label: label), nonce: nonce)
        #expect(Array(labelled.suffix(16)) == hex("3c4f3a9042711c83e2414d9c5f2b72b8"))
        let packet = [0xf4, 4] + label + labelled
        #expect(try PacketDecoder.decodeAll(packet, security: PacketSecurity(label: label, keyring: keyring)) == [Self.ping])
        // With skipInboundLabelCheck the unlabelled packet still needs the local label as AAD.
        #expect(try PacketDecoder.decodeAll(labelled, security: PacketSecurity(label: label, keyring: keyring, skipInboundLabelCheck: true)) == [Self.ping])
    }

    @Test func fullStackRoundTrip() throws {
        let keyring = try Keyring(keys: [Self.key, Array(repeating: 7, count: 32)])
        for version in [EncryptionVersion.plain, .padded] {
            let security = PacketSecurity(label: Array("cluster".utf8), keyring: keyring, encryptionVersion: version, compress: true, crc: true)
            let user = Message.user([UInt8](repeating: 0x62, count: 500))
            let bytes = try encode(user, security)
            #expect(Array(bytes.prefix(9)) == [0xf4, 7] + Array("cluster".utf8))
            #expect(bytes[9] == UInt8(version.rawValue))
            #expect(try PacketDecoder.decodeAll(bytes, security: security) == [user])
            #expect(security.encryptionOverhead == (version == .plain ? 29 : 45))
        }
    }

    @Test func wrongKeyAndVerifyIncoming() throws {
        let sender = PacketSecurity(keyring: try Keyring(keys: [Self.key]))
        let receiver = PacketSecurity(keyring: try Keyring(keys: [Array(repeating: 9, count: 16)]))
        let bytes = try encode(Self.ping, sender)
        #expect(throws: PacketError.self) { try PacketDecoder.decodeAll(bytes, security: receiver) }
        do {
            _ = try PacketDecoder.decodeAll(bytes, security: receiver)
        } catch {
            guard case .decryptionFailed = error else { Issue.record("expected decryptionFailed, got \(error)"); return }
        }
        // Plaintext is refused while verifying, accepted when GossipVerifyIncoming is off.
        #expect(throws: PacketError.self) { try PacketDecoder.decodeAll(hex(MessageVectorTests.pingHex), security: receiver) }
        var lenient = receiver
        lenient.verifyIncoming = false
        #expect(try PacketDecoder.decodeAll(hex(MessageVectorTests.pingHex), security: lenient) == [Self.ping])
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
        let buffer = WireBuffer(try CompoundFraming.compound([Self.ping.encodedBytes, [0x0d, 0x80], Self.alive.encodedBytes, [0x02]]))
        var seen: [Message] = []
        let report = try buffer.bytes.withUnsafeBytes { raw in
            try PacketDecoder.decode(raw, security: PacketSecurity()) { seen.append($0) }
        }
        #expect(seen == [Self.ping, Self.alive])
        #expect(report.delivered == 2 && report.droppedParts == 2)
        #expect(report.firstPartError == .disallowedType(.err, depth: 1))
    }

    @Test func compressedCompoundInsideCompound() throws {
        let inner = WireBuffer(try CompoundFraming.compound([Self.ping.encodedBytes, Self.alive.encodedBytes]))
        let compressed = [0x09] + CompressedPayload(algorithm: 0, buffer: LZW.compress(inner.bytes)).messagePackBytes
        let outer = WireBuffer(try CompoundFraming.compound([compressed, Message.nack(NackResponse(seqNo: 3)).encodedBytes]))
        #expect(try PacketDecoder.decodeAll(outer.bytes, security: PacketSecurity()) == [Self.ping, Self.alive, .nack(NackResponse(seqNo: 3))])
    }

    @Test func nestingBombIsRefused() throws {
        var bytes = Self.ping.encodedBytes
        for _ in 0..<20 {
            // A one-part compound, which no sender writes (Compound.writePackets sends one part bare).
            bytes = [MessageType.compound.rawValue, 1, UInt8(bytes.count >> 8), UInt8(bytes.count & 0xff)] + bytes
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

    @Test func seededPacketFuzz() throws {
        var generator = SeededGenerator(seed: 0x5eed_0003)
        let keyring = try Keyring(keys: [Self.key])
        let securities = [PacketSecurity(), PacketSecurity(label: [1, 2], compress: true, crc: true),
                          PacketSecurity(label: Array("x".utf8), keyring: keyring, compress: true, crc: true)]
        var seeds: [(Int, [UInt8])] = []
        for (index, security) in securities.enumerated() {
            for message in MessageRoundTripTests.samples {
                if case .pushPull = message { continue }
                if case .error = message { continue }
                seeds.append((index, try encode(message, security, crc: security.crc)))
            }
        }
        for (index, bytes) in seeds {
            _ = try PacketDecoder.decodeAll(bytes, security: securities[index])
        }
        for _ in 0..<3000 {
            var (index, bytes) = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...3, using: &generator) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                if Bool.random(using: &generator) { bytes[position] ^= UInt8.random(in: 1...255, using: &generator) } else { bytes.removeSubrange(position...) }
            }
            do { _ = try PacketDecoder.decodeAll(bytes, security: securities[index]) } catch {
                #expect(!String(describing: error).isEmpty)
            }
        }
    }
}
