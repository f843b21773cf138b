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


    @Test func reliableUserMessageFraming() throws {
        let bytes = try encode(.user([9, 9]), PacketSecurity())
        #expect(bytes == [0x08, 0x81, 0xaa] + Array("UserMsgLen".utf8) + [0x02, 9, 9])
    }

    @Test func compressionIsAlwaysUsedOnStreams() throws {
        let bytes = try encode(.ack(AckResponse(seqNo: 1)), PacketSecurity(compress: true))
        #expect(bytes.first == MessageType.compress.rawValue)
        #expect(bytes.count > Message.ack(AckResponse(seqNo: 1)).encodedBytes.count)
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

}
