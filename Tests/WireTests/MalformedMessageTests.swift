import Testing
@testable import Wire

/// Hostile and broken message bodies give typed errors, never traps or big allocations.
@Suite struct MalformedMessageTests {
    static let structured = MessageRoundTripTests.samples.filter { if case .user = $0 { return false } else { return true } }

    @Test(arguments: structured)
    func everyTruncationIsATruncationError(_ message: Message) {
        let bytes = message.encodedBytes
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            do {
                let decoded = try Message.decode(prefix)
                Issue.record("prefix of \(length)/\(bytes.count) decoded as \(decoded)")
            } catch {
                #expect(error.isTruncation, "prefix \(length) of \(message.type): \(error)")
            }
        }
    }

    @Test func streamUserMessageTruncatedAtEveryOffset() {
        var buffer = WireBuffer()
        Message.user([UInt8](repeating: 5, count: 40)).encodeForStream(into: &buffer)
        let bytes = buffer.bytes
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(throws: MessageDecodeError.self) {
                try prefix.withUnsafeBytes { _ = try Message.decodeStreamMessage($0) }
            }
        }
    }

    @Test func unknownAndFramingTypesAreRefused() {
        #expect(throws: MessageDecodeError.empty) { try Message.decode([]) }
        #expect(throws: MessageDecodeError.unknownType(14)) { try Message.decode([14, 0x80]) }
        #expect(throws: MessageDecodeError.unknownType(0xff)) { try Message.decode([0xff]) }
        for type in [MessageType.compound, .compress, .encrypt, .hasCrc, .hasLabel] {
            #expect(throws: MessageDecodeError.notAMessage(type)) { try Message.decode([type.rawValue, 0x80]) }
        }
    }

    @Test func lengthsPastTheEndAreCheckedBeforeReading() {
        // ack with Payload declared as 4 GiB raw32.
        let ack: [UInt8] = [0x02, 0x81, 0xa7] + Array("Payload".utf8) + [0xdb, 0xff, 0xff, 0xff, 0xff, 1, 2]
        #expect(throws: MessageDecodeError.field(message: "ackResp", field: "Payload",
                                                 .truncated(offset: 10, needed: 0xffff_ffff, available: 2))) {
            try Message.decode(ack)
        }
        // Meta as a 4-billion-element array.
        let alive: [UInt8] = [0x04, 0x81, 0xa4] + Array("Meta".utf8) + [0xdd, 0xff, 0xff, 0xff, 0xff, 1]
        #expect(throws: MessageDecodeError.self) { try Message.decode(alive) }
    }

    func pushPullHeader(nodes: Int64, userStateLength: Int64) -> [UInt8] {
        var buffer = WireBuffer()
        buffer.append(MessageType.pushPull.rawValue)
        buffer.writeMapHeader(count: 3)
        buffer.writeKey("Join"); buffer.writeBool(false)
        buffer.writeKey("Nodes"); buffer.writeInt(nodes)
        buffer.writeKey("UserStateLen"); buffer.writeInt(userStateLength)
        return buffer.bytes
    }

    @Test func pushPullLimitsAreEnforcedFromTheHeader() {
        #expect(throws: MessageDecodeError.limitExceeded(field: "Nodes", limit: 1_048_576, found: 1_048_577)) {
            try Message.decode(pushPullHeader(nodes: 1_048_577, userStateLength: 0))
        }
        #expect(throws: MessageDecodeError.limitExceeded(field: "Nodes", limit: 1_048_576, found: -1)) {
            try Message.decode(pushPullHeader(nodes: -1, userStateLength: 0))
        }
        #expect(throws: MessageDecodeError.limitExceeded(field: "UserStateLen", limit: 20 * 1024 * 1024, found: 20 * 1024 * 1024 + 1)) {
            try Message.decode(pushPullHeader(nodes: 0, userStateLength: 20 * 1024 * 1024 + 1))
        }
        // A legal but huge count with no node bytes is a truncation, found without reserving a million entries.
        #expect(throws: MessageDecodeError.self) { try Message.decode(pushPullHeader(nodes: 1_048_576, userStateLength: 0)) }
        #expect(throws: MessageDecodeError.truncatedPayload(field: "UserState", declared: 10, available: 3)) {
            try Message.decode(pushPullHeader(nodes: 0, userStateLength: 10) + [1, 2, 3])
        }
    }

    @Test func userMessageLengthLimit() {
        var buffer = WireBuffer()
        buffer.append(MessageType.user.rawValue)
        UserMessageHeader(userMessageLength: 20 * 1024 * 1024 + 1).encode(into: &buffer)
        #expect(throws: MessageDecodeError.limitExceeded(field: "UserMsgLen", limit: 20 * 1024 * 1024, found: 20 * 1024 * 1024 + 1)) {
            try buffer.bytes.withUnsafeBytes { _ = try Message.decodeStreamMessage($0) }
        }
    }

    @Test func nestingBombInsideAnUnknownKey() {
        let bytes: [UInt8] = [0x0b, 0x81, 0xa1, 0x58] + [UInt8](repeating: 0x81, count: 5000).flatMap { [$0, 0xa0] }.dropLast() + [0xc0]
        #expect(throws: MessageDecodeError.self) { try Message.decode(bytes) }
    }

    @Test func wrongTypesForEveryField() {
        // A struct where every value is replaced by a map: each known field rejects it.
        let cases: [(MessageType, StaticString)] = [(.ping, "SeqNo"), (.ping, "Node"), (.indirectPing, "Nack"), (.indirectPing, "Target"),
                                                    (.ack, "Payload"), (.alive, "Vsn"), (.alive, "Port"), (.dead, "Incarnation"),
                                                    (.suspect, "From"), (.err, "Error"), (.nack, "SeqNo")]
        for (type, field) in cases {
            var buffer = WireBuffer()
            buffer.append(type.rawValue)
            buffer.writeMapHeader(count: 1)
            buffer.writeKey(field)
            buffer.append(0x80)
            #expect(throws: MessageDecodeError.self, "\(type) \(field)") { try Message.decode(buffer.bytes) }
        }
    }

    @Test func seededMutationFuzz() throws {
        var generator = SeededGenerator(seed: 0x5eed_0001)
        let seeds = MessageRoundTripTests.samples.map(\.encodedBytes)
        var decodedCount = 0
        for _ in 0..<4000 {
            var bytes = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
            let mutations = Int.random(in: 1...4, using: &generator)
            for _ in 0..<mutations where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.removeSubrange(index...)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            // Either a typed error or a message that re-encodes and decodes to itself.
            if let message = try? Message.decode(bytes) {
                decodedCount += 1
                #expect(try Message.decode(message.encodedBytes) == message)
            }
        }
        #expect(decodedCount > 0)
    }

    @Test func randomBytesFuzz() {
        var generator = SeededGenerator(seed: 0x5eed_0002)
        for _ in 0..<4000 {
            let type = UInt8.random(in: 0...14, using: &generator)
            let bytes = [type] + generator.bytes(Int.random(in: 0..<64, using: &generator))
            do {
                _ = try Message.decode(bytes)
            } catch {
                // Every failure is one of the typed cases; reaching here without a trap is the property.
                #expect(!String(describing: error).isEmpty)
            }
            _ = try? bytes.withUnsafeBytes { try Message.decodeStreamMessage($0) }
        }
    }
}
