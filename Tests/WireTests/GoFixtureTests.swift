import Foundation
import Testing
@testable import Wire

/// Golden vectors from the real Go memberlist v0.2.2 (Tests/WireTests/Fixtures/memberlist-go,
/// produced by Interop/go/fixtures/run.sh): the Swift codec must decode every one to
/// the values Go was given and, where the bytes are deterministic, re-encode them
/// byte for byte (memberlist-wire.md §2-6, §12; dskit-kv-ring.md §1).
@Suite struct GoFixtureTests {
    /// Messages as `rawSendMsgPacket` sent them with no compression, CRC, encryption or label.
    static let bareMessages = GoFixtures.all.filter { $0.framing == "packet" && $0.isBare && $0.message.leaf != nil }
    /// Streams as `rawSendMsgStream` / `sendLocalState` / `sendUserMsg` wrote them uncompressed and unencrypted.
    static let bareStreams = GoFixtures.all.filter { $0.framing == "stream" && $0.isBare && $0.message.leaf != nil }
    static let dskitPackets = GoFixtures.all.filter { $0.framing == "dskitPacket" }
    /// Packets whose layers are only label / CRC around messages and compounds.
    /// (bare single messages are covered above; compounds Go cannot read back have their own test).
    static let labelCRCCompoundPackets = GoFixtures.all.filter { fixture in
        let bareLeaf = fixture.isBare && fixture.message.leaf != nil
        return fixture.framing == "packet" && !bareLeaf && !fixture.goRejects
            && !fixture.layers.contains("encrypt") && !fixture.message.containsCompression
    }

    @Test func manifestLoadsAndCoversEveryMessageType() throws {
        let fixtures = try GoFixtures.load()
        #expect(fixtures.count >= 100)
        #expect(Set(fixtures.map(\.name)).count == fixtures.count, "fixture names must be unique")
        for fixture in fixtures {
            #expect(!(try GoFixtures.bytes(of: fixture)).isEmpty || fixture.name == "lzw_empty", "\(fixture.file) is empty")
        }
        var packetTypes = Set<MessageType>()
        var streamTypes = Set<MessageType>()
        for fixture in fixtures {
            if let leaf = fixture.message.uncompressed.leaf {
                if fixture.framing == "stream" { streamTypes.insert(leaf.type) } else { packetTypes.insert(leaf.type) }
            }
        }
        #expect(packetTypes == [.ping, .indirectPing, .ack, .nack, .suspect, .alive, .dead, .user])
        #expect(streamTypes == [.ping, .ack, .err, .pushPull, .user])
        #expect(Self.bareMessages.count >= 20)
        #expect(Self.bareStreams.count >= 7)
        #expect(Self.labelCRCCompoundPackets.count >= 8)
    }

    @Test(arguments: bareMessages)
    func bareMessageDecodesAndReencodesByteForByte(_ fixture: GoFixture) throws {
        let bytes = try GoFixtures.bytes(of: fixture)
        let expected = try #require(fixture.message.leaf)
        #expect(try Message.decode(bytes) == expected)
        #expect(fixture.deterministic)
        #expect(hexString(expected.encodedBytes) == hexString(bytes))
    }

    @Test(arguments: bareStreams)
    func bareStreamDecodesAndReencodesByteForByte(_ fixture: GoFixture) throws {
        let bytes = try GoFixtures.bytes(of: fixture)
        let expected = try #require(fixture.message.leaf)
        let decoded = try bytes.withUnsafeBytes { raw in try Message.decodeStreamMessage(raw) }
        #expect(decoded.message == expected)
        #expect(decoded.consumed == bytes.count, "the whole stream is one message")
        var buffer = WireBuffer()
        expected.encodeForStream(into: &buffer)
        #expect(hexString(buffer.bytes) == hexString(bytes))
    }

    @Test(arguments: dskitPackets)
    func dskitPacketFrameMatchesGo(_ fixture: GoFixture) throws {
        let bytes = try GoFixtures.bytes(of: fixture)
        let source = try #require(fixture.dskitSource)
        let payload: [UInt8] = try bytes.withUnsafeBytes { raw in
            let view = try DskitPacketFrame.decode(raw)
            #expect(view.addressString == source)
            #expect(view.digestMatches)
            return [UInt8](view.payload)
        }
        // The payload is a memberlist packet: label header first when labelled, then the CRC header.
        if fixture.label.isEmpty {
            #expect(payload.first == MessageType.hasCrc.rawValue)
        } else {
            #expect(Array(payload.prefix(2 + fixture.label.utf8.count)) == [MessageType.hasLabel.rawValue, UInt8(fixture.label.utf8.count)] + Array(fixture.label.utf8))
        }
        var buffer = WireBuffer()
        try DskitPacketFrame.encode(address: source, payload: payload, into: &buffer)
        #expect(hexString(buffer.bytes) == hexString(bytes))
    }

    @Test(arguments: labelCRCCompoundPackets)
    func labelCRCAndCompoundPacketsDecodeAndReencode(_ fixture: GoFixture) throws {
        let bytes = try GoFixtures.bytes(of: fixture)
        let decoded = try GoFixtureCodec.decodePacket(bytes, label: fixture.label)
        #expect(decoded.layers == fixture.layers)
        #expect(decoded.tree == fixture.message)
        let encoded = try GoFixtureCodec.encodePacket(fixture.message, crc: fixture.layers.contains("crc"), label: fixture.label)
        #expect(hexString(encoded) == hexString(bytes))
    }

    /// Go v0.2.2 writes compounds of up to 255 parts but its decoder computes the length
    /// table size in uint8 and mis-splits 128...255 parts; Swift must read them correctly.
    @Test func compoundsGoCannotReadBackDecodeInSwift() throws {
        let rejected = GoFixtures.all.filter(\.goRejects)
        #expect(rejected.map(\.name).sorted() == ["compound_128", "compound_255"])
        for fixture in rejected {
            guard case .compound(let parts) = try GoFixtureCodec.decodeTree(GoFixtures.bytes(of: fixture)) else {
                Issue.record("\(fixture.name) is not a compound"); continue
            }
            #expect(.compound(parts) == fixture.message)
        }
    }

    /// Go never distinguishes a nil from an empty byte field after decoding, but the bytes
    /// differ (c0 vs a0); the Swift codec keeps the difference in both directions.
    @Test func nilAndEmptyByteFieldsStayDistinct() throws {
        let nilPayload = try #require(GoFixtures.named("msg_ack_payload_nil"))
        let emptyPayload = try #require(GoFixtures.named("msg_ack_payload_empty"))
        #expect(try Message.decode(GoFixtures.bytes(of: nilPayload)) == .ack(AckResponse(seqNo: 300, payload: nil)))
        #expect(try Message.decode(GoFixtures.bytes(of: emptyPayload)) == .ack(AckResponse(seqNo: 300, payload: [])))
    }
}
