import Foundation
import Testing
import KV

/// Protobuf bytes against fixtures made by Google's protobuf runtime (Fixtures/generate.py):
/// Swift decodes each to the value it should hold and re-encodes it byte for byte.
@Suite struct ProtobufFixtureTests {
    @Test(arguments: KVFixtures.pairs.keys.sorted())
    func keyValuePairMatchesFixture(name: String) throws {
        try check(name, KVFixtures.pairs[name], decode: { try KeyValuePair(decoding: $0) }, encode: { $0.encoded() })
    }

    @Test(arguments: KVFixtures.rings.keys.sorted())
    func ringMatchesFixture(name: String) throws {
        try check(name, KVFixtures.rings[name], decode: { try RingDesc(decoding: $0) }, encode: { $0.encoded() })
    }

    @Test(arguments: KVFixtures.trackers.keys.sorted())
    func propagationTrackerMatchesFixture(name: String) throws {
        try check(name, KVFixtures.trackers[name], decode: { try PropagationTrackerDesc(decoding: $0) },
                  encode: { $0.encoded() })
    }

    /// The fixture decodes to `expected`, which encodes back to the fixture byte for byte.
    private func check<Value: Equatable>(_ name: String, _ expected: Value?, decode: ([UInt8]) throws -> Value,
                                         encode: (Value) -> [UInt8]) throws {
        let bytes = try KVFixtures.bytes(name)
        let value = try #require(expected)
        #expect(try decode(bytes) == value)
        #expect(encode(value) == bytes)
        try writeSwiftEncoding(name, encode(value))
    }

    /// A ring written by a later schema (extra string, fixed32, fixed64 and sint64 fields in
    /// the instance, an extra field in the ring) decodes to what this schema knows.
    @Test func unknownFieldsAreSkipped() throws {
        let future = try KVFixtures.bytes("ring_future_fields")
        let known = try KVFixtures.bytes("ring_future_fields_known")
        let ring = try RingDesc(decoding: future)
        #expect(ring == KVFixtures.rings["ring_future_fields_known"])
        #expect(ring.encoded() == known)
    }

    @Test func localStateFramingMatchesFixture() throws {
        let bytes = try KVFixtures.bytes("local_state")
        let parsed = LocalStateFrame.parse(bytes)
        #expect(parsed.stoppedAt == nil)
        let full = try #require(KVFixtures.pairs["kv_pair_full"])
        let keyOnly = try #require(KVFixtures.pairs["kv_pair_key_only"])
        #expect(parsed.pairs == [full, keyOnly])
        var encoded: [UInt8] = []
        LocalStateFrame.append(full, to: &encoded)
        LocalStateFrame.append(keyOnly, to: &encoded)
        #expect(encoded == bytes)
    }

    @Test func truncatedLocalStateKeepsThePairsBeforeTheCut() throws {
        let bytes = try KVFixtures.bytes("local_state")
        let firstFrame = 4 + 43
        for cut in [firstFrame + 1, firstFrame + 3, firstFrame + 5, bytes.count - 1] {
            let parsed = LocalStateFrame.parse(Array(bytes[..<cut]))
            #expect(parsed.pairs.count == 1, "cut at \(cut)")
            #expect(parsed.stoppedAt == .truncated(offset: firstFrame), "cut at \(cut)")
        }
        let inFirst = LocalStateFrame.parse(Array(bytes[..<10]))
        #expect(inFirst.pairs.isEmpty)
        #expect(inFirst.stoppedAt == .truncated(offset: 0))
    }

    @Test func malformedFrameStopsParsing() {
        // A frame of 2 bytes holding tag 0 (invalid), then a valid frame that is not read.
        var bytes: [UInt8] = [0, 0, 0, 2, 0x00, 0x00]
        LocalStateFrame.append(KeyValuePair(key: "k", value: [], codec: ""), to: &bytes)
        let parsed = LocalStateFrame.parse(bytes)
        #expect(parsed.pairs.isEmpty)
        #expect(parsed.stoppedAt == .malformedPair(offset: 0, .invalidTag(offset: 0, tag: 0)))
    }

    private func writeSwiftEncoding(_ name: String, _ bytes: [UInt8]) throws {
        guard let directory = KVFixtures.swiftOutputDirectory else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: directory.appendingPathComponent(name + ".bin"))
    }
}

/// The reader's typed errors on bad input: every length is checked, nothing crashes.
@Suite struct ProtobufReaderTests {
    @Test func truncatedLengthDelimitedFieldIsAnError() {
        // key field announcing 5 bytes, 2 present.
        #expect(throws: ProtobufError.truncated(offset: 1)) { try KeyValuePair(decoding: [0x0A, 0x05, 0x61, 0x62]) }
    }

    @Test func hugeLengthIsAnErrorNotACrash() {
        let bytes: [UInt8] = [0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: ProtobufError.self) { try KeyValuePair(decoding: bytes) }
    }

    @Test func overlongVarintIsAnError() {
        let bytes: [UInt8] = [0x28] + [UInt8](repeating: 0xFF, count: 10) + [0x01]
        #expect(throws: ProtobufError.malformedVarint(offset: 1)) { try KeyValuePair(decoding: bytes) }
    }

    @Test func varintEndingInsideTheInputIsTruncated() {
        #expect(throws: ProtobufError.truncated(offset: 1)) { try KeyValuePair(decoding: [0x28, 0x80]) }
    }

    @Test func wrongWireTypeForAKnownFieldIsAnError() {
        // key (field 1) sent as a varint.
        #expect(throws: ProtobufError.wrongWireType(field: 1, wireType: 0)) { try KeyValuePair(decoding: [0x08, 0x01]) }
    }

    @Test func groupsAndFieldZeroAreInvalidTags() {
        #expect(throws: ProtobufError.invalidTag(offset: 0, tag: 0x0B)) { try KeyValuePair(decoding: [0x0B]) }
        #expect(throws: ProtobufError.invalidTag(offset: 0, tag: 0x02)) { try KeyValuePair(decoding: [0x02, 0x00]) }
    }

    @Test func nonUTF8StringIsAnError() {
        #expect(throws: ProtobufError.invalidUTF8(field: 1)) { try KeyValuePair(decoding: [0x0A, 0x01, 0xFF]) }
    }

    @Test func unpackedTokensAreAccepted() throws {
        // InstanceDesc tokens (field 6) as two unpacked varints inside a ring entry.
        let instance: [UInt8] = [0x30, 0x07, 0x30, 0x03]
        let entry: [UInt8] = [0x0A, 0x01, 0x78, 0x12, UInt8(instance.count)] + instance
        let ring = try RingDesc(decoding: [0x0A, UInt8(entry.count)] + entry)
        #expect(ring.instances["x"]?.tokens == [7, 3])
    }

    @Test func truncatedSnappyRingIsACodecError() {
        let encoded = RingDescCodec().encodeRing(KVFixtures.rings["ring_full"] ?? RingDesc())
        #expect(throws: KVError.self) { try RingDescCodec().decodeRing(Array(encoded.dropLast(3))) }
    }

    @Test func ringCodecRoundTripsThroughSnappy() throws {
        let ring = try #require(KVFixtures.rings["ring_full"])
        let codec = RingDescCodec()
        #expect(try codec.decodeRing(codec.encodeRing(ring)) == ring)
        #expect(try codec.decodeRing([]) == RingDesc())
    }

    @Test func registryFindsCodecsById() {
        let registry = KVCodecRegistry([RingDescCodec(), StringCodec()])
        #expect(registry.ids == ["ringDesc", "string"])
        #expect(registry.codec(id: "nope") == nil)
        #expect(throws: KVError.notMergeable(codec: "string")) {
            try registry.codec(id: "string")?.decodeMergeable(Array("hi".utf8))
        }
        #expect(StringCodec().encode("h\u{e9}") == [0x68, 0xC3, 0xA9])
    }
}
