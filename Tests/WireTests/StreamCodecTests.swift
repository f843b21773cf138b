import Testing
@testable import Wire

/// Stream framing (memberlist-wire.md §4) and the incremental decoder's limits.
@Suite struct StreamCodecTests {
    static let key: [UInt8] = Array(0x00...0x0f)
    static let pushPull = MessageRoundTripTests.samples.first { if case .pushPull = $0 { return true } else { return false } } ?? .user([])

    func encode(_ message: Message, _ security: PacketSecurity, writeLabel: Bool = true) throws -> [UInt8] {
        var out = WireBuffer()
        try StreamEncoder.encode(message, security: security, writeLabel: writeLabel, into: &out)
        return out.bytes
    }

    func decode(_ bytes: [UInt8], _ security: PacketSecurity, accepted: Bool = true) throws -> (message: Message, consumed: Int)? {
        var decoder = StreamDecoder(security: security, acceptedStream: accepted)
        return try bytes.withUnsafeBytes { try decoder.decode($0) }
    }

    /// Every strict prefix needs more bytes; the whole gives the message and consumes everything.
    func expectIncremental(_ bytes: [UInt8], _ security: PacketSecurity, _ message: Message, accepted: Bool = true) throws {
        for length in 0..<bytes.count {
            #expect(try decode(Array(bytes[..<length]), security, accepted: accepted) == nil, "prefix \(length) of \(bytes.count)")
        }
        let result = try #require(try decode(bytes, security, accepted: accepted))
        #expect(result.message == message)
        #expect(result.consumed == bytes.count)
    }

    @Test func plainStreamWithLabel() throws {
        let security = PacketSecurity(label: Array("prod".utf8))
        let ping = MessageVectorTests.ping
        let bytes = try encode(ping, security)
        #expect(bytes == [0xf4, 4] + Array("prod".utf8) + hex(MessageVectorTests.pingHex))
        try expectIncremental(bytes, security, ping)
        // Replies carry no label.
        #expect(try encode(ping, security, writeLabel: false) == hex(MessageVectorTests.pingHex))
        #expect(throws: StreamError.label(.labelMismatch(expected: [], found: Array("prod".utf8)))) { try decode(bytes, PacketSecurity()) }
    }

    @Test func everyStreamMessageKindRoundTrips() throws {
        let messages: [Message] = [MessageVectorTests.ping, .ack(AckResponse(seqNo: 300, payload: nil)), Self.pushPull,
                                   .user([1, 2, 3]), .error(ErrorResponse(error: "nope"))]
        let keyring = try Keyring(keys: [Self.key])
        let configs = [PacketSecurity(), PacketSecurity(compress: true), PacketSecurity(label: [7], keyring: keyring),
                       PacketSecurity(label: [7], keyring: keyring, encryptionVersion: .padded, compress: true)]
        for security in configs {
            for message in messages { try expectIncremental(try encode(message, security), security, message) }
        }
    }

    @Test func reliableUserMessageFraming() throws {
        let bytes = try encode(.user([9, 9]), PacketSecurity())
        #expect(bytes == [0x08, 0x81, 0xaa] + Array("UserMsgLen".utf8) + [0x02, 9, 9])
    }

    @Test func compressionIsAlwaysUsedOnStreams() throws {
        let bytes = try encode(.ack(AckResponse(seqNo: 1)), PacketSecurity(compress: true))
        #expect(bytes.first == MessageType.compress.rawValue)
        #expect(bytes.count > Message.ack(AckResponse(seqNo: 1)).encodedBytes.count)
    }

    @Test func encryptedFrameLayout() throws {
        let keyring = try Keyring(keys: [Self.key])
        for version in [EncryptionVersion.plain, .padded] {
            let security = PacketSecurity(label: Array("l".utf8), keyring: keyring, encryptionVersion: version)
            let bytes = try encode(MessageVectorTests.ping, security, writeLabel: false)
            let length = Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
            #expect(bytes[0] == 0x0a)
            #expect(length == bytes.count - 5)
            #expect(length == StreamEncoder.encryptedLength(plaintextLength: 71, version: version))
            #expect(bytes[5] == version.rawValue)
            // The AAD binds the label: a reply decoder with another label cannot decrypt.
            #expect(throws: StreamError.self) { try decode(bytes, PacketSecurity(label: Array("m".utf8), keyring: keyring), accepted: false) }
            #expect(try decode(bytes, security, accepted: false)?.message == MessageVectorTests.ping)
        }
        #expect(StreamEncoder.encryptedLength(plaintextLength: 71, version: .plain) == 100)
        #expect(StreamEncoder.encryptedLength(plaintextLength: 64, version: .padded) == 1 + 12 + 80 + 16)
    }

    @Test func encryptionPolicy() throws {
        let keyring = try Keyring(keys: [Self.key])
        let plain = try encode(MessageVectorTests.ping, PacketSecurity())
        #expect(throws: StreamError.plaintextRefused) { try decode(plain, PacketSecurity(keyring: keyring)) }
        #expect(try decode(plain, PacketSecurity(keyring: keyring, verifyIncoming: false))?.message == MessageVectorTests.ping)
        let encrypted = try encode(MessageVectorTests.ping, PacketSecurity(keyring: keyring))
        #expect(throws: StreamError.encryptedWithoutKeyring) { try decode(encrypted, PacketSecurity()) }
        // Refused from the type byte alone, before the frame arrives.
        #expect(throws: StreamError.encryptedWithoutKeyring) { try decode([0x0a], PacketSecurity()) }
    }

    @Test func limitsAreEnforcedBeforeTheBodyArrives() throws {
        let keyring = try Keyring(keys: [Self.key])
        #expect(throws: StreamError.encryptedLengthTooLarge(length: 20 * 1024 * 1024 + 1, limit: 20 * 1024 * 1024)) {
            try decode([0x0a, 0x01, 0x40, 0x00, 0x01], PacketSecurity(keyring: keyring))
        }
        #expect(try decode([0x0a, 0x01, 0x40, 0x00, 0x00], PacketSecurity(keyring: keyring)) == nil)
        let header = MalformedMessageTests().pushPullHeader(nodes: 1_048_577, userStateLength: 0)
        #expect(throws: StreamError.message(.limitExceeded(field: "Nodes", limit: 1_048_576, found: 1_048_577))) { try decode(header, PacketSecurity()) }
        let userState = MalformedMessageTests().pushPullHeader(nodes: 0, userStateLength: 20 * 1024 * 1024 + 1)
        #expect(throws: StreamError.self) { try decode(userState, PacketSecurity()) }
        var user = WireBuffer()
        user.append(0x08)
        UserMessageHeader(userMessageLength: 20 * 1024 * 1024 + 1).encode(into: &user)
        #expect(throws: StreamError.message(.limitExceeded(field: "UserMsgLen", limit: 20 * 1024 * 1024, found: 20 * 1024 * 1024 + 1))) {
            try decode(user.bytes, PacketSecurity())
        }
    }

    @Test func emptyOrGarbageDecompressionIsAnError() throws {
        let empty = [0x09] + CompressedPayload(algorithm: 0, buffer: hex("000302")).messagePackBytes
        #expect(throws: StreamError.decompression(.emptyOutput)) { try decode(empty, PacketSecurity()) }
        let garbage = [0x09] + CompressedPayload(algorithm: 0, buffer: [0xff, 0xff]).messagePackBytes
        #expect(throws: StreamError.self) { try decode(garbage, PacketSecurity()) }
        let tooBig = [0x09] + CompressedPayload(algorithm: 0, buffer: LZW.compress([UInt8](repeating: 0, count: 5000))).messagePackBytes
        var limited = PacketSecurity()
        limited.decompressionLimit = 1000
        #expect(throws: StreamError.self) { try decode(tooBig, limited) }
    }

    @Test func disallowedTypesOnStreams() {
        #expect(throws: StreamError.disallowedType(.alive)) { try decode(MessageVectorTests.alive.encodedBytes, PacketSecurity()) }
        #expect(throws: StreamError.disallowedType(.compound)) { try decode([0x07, 0x00], PacketSecurity()) }
        #expect(throws: StreamError.unknownType(0x20)) { try decode([0x20], PacketSecurity()) }
        let doubleCompressed = [0x09] + CompressedPayload(algorithm: 0, buffer: LZW.compress([0x09, 0x80])).messagePackBytes
        #expect(throws: StreamError.disallowedType(.compress)) { try decode(doubleCompressed, PacketSecurity()) }
    }

    @Test func consecutiveMessagesOnOneStream() throws {
        let security = PacketSecurity(label: [1, 2, 3], compress: true)
        var out = WireBuffer()
        try StreamEncoder.encode(.pushPull(PushPullState(join: true, nodes: [])), security: security, writeLabel: true, into: &out)
        try StreamEncoder.encode(.user([4]), security: security, writeLabel: false, into: &out)
        var decoder = StreamDecoder(security: security, acceptedStream: true)
        let bytes = out.bytes
        let first = try #require(try bytes.withUnsafeBytes { try decoder.decode($0) })
        #expect(first.message == .pushPull(PushPullState(join: true, nodes: [])))
        #expect(!decoder.expectsLabel)
        let rest = Array(bytes[first.consumed...])
        let second = try #require(try rest.withUnsafeBytes { try decoder.decode($0) })
        #expect(second.message == .user([4]))
        #expect(second.consumed == rest.count)
    }

    @Test func seededStreamFuzz() throws {
        var generator = SeededGenerator(seed: 0x5eed_0004)
        let keyring = try Keyring(keys: [Self.key])
        let securities = [PacketSecurity(), PacketSecurity(label: [5], compress: true), PacketSecurity(label: [5], keyring: keyring, compress: true)]
        var seeds: [(Int, [UInt8])] = []
        for (index, security) in securities.enumerated() {
            for message in [MessageVectorTests.ping, Self.pushPull, .user([1, 2, 3]), .ack(AckResponse(seqNo: 1, payload: [1]))] {
                seeds.append((index, try encode(message, security)))
            }
        }
        for _ in 0..<3000 {
            var (index, bytes) = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...3, using: &generator) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                if Bool.random(using: &generator) { bytes[position] ^= UInt8.random(in: 1...255, using: &generator) } else { bytes.insert(UInt8.random(in: 0...255, using: &generator), at: position) }
            }
            do {
                if let result = try decode(bytes, securities[index]) { #expect(result.consumed <= bytes.count) }
            } catch {
                #expect(!String(describing: error).isEmpty)
            }
        }
    }
}
