import Testing
@testable import Wire

/// What a decoder must accept and refuse (memberlist-wire.md §2.3).
@Suite struct MessagePackReaderTests {
    func read<T>(_ bytes: [UInt8], _ body: (inout MessagePackReader) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            var reader = MessagePackReader(raw)
            let value = try body(&reader)
            #expect(reader.isAtEnd, "value did not consume all of \(bytes)")
            return value
        }
    }

    @Test(arguments: [
        ([0x2a], 42), ([0xcc, 0x2a], 42), ([0xcd, 0x00, 0x2a], 42), ([0xce, 0, 0, 0, 0x2a], 42),
        ([0xcf, 0, 0, 0, 0, 0, 0, 0, 0x2a], 42), ([0xd0, 0x2a], 42), ([0xd1, 0x00, 0x2a], 42),
        ([0xd2, 0, 0, 0, 0x2a], 42), ([0xd3, 0, 0, 0, 0, 0, 0, 0, 0x2a], 42),
        ([0xce, 0xff, 0xff, 0xff, 0xff], 4_294_967_295), ([0xd3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], 4_294_967_295),
    ] as [([UInt8], UInt64)])
    func everyIntegerFormDecodesAsUInt32(bytes: [UInt8], value: UInt64) throws {
        #expect(try read(bytes) { try UInt64($0.readUInt32()) } == value)
    }

    @Test(arguments: [
        [0xff], [0xe0], [0xd0, 0xff], [0xd1, 0xff, 0xff], [0xd2, 0x80, 0, 0, 0], [0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        [0xcf, 0, 0, 0, 1, 0, 0, 0, 0], [0xd3, 0, 0, 0, 1, 0, 0, 0, 0],
    ] as [[UInt8]])
    func negativeOrOversizedValuesAreRejectedForUInt32(bytes: [UInt8]) {
        #expect(throws: MessagePackError.self) { try read(bytes) { try $0.readUInt32() } }
    }

    @Test func uint16RangeIsChecked() throws {
        #expect(try read([0xcd, 0xff, 0xff]) { try $0.readUInt16() } == 65535)
        #expect(throws: MessagePackError.unsignedOutOfRange(offset: 0, expected: "uint16", found: 65536)) {
            try read([0xce, 0, 1, 0, 0]) { try $0.readUInt16() }
        }
        #expect(throws: MessagePackError.integerOutOfRange(offset: 0, expected: "uint16", found: -1)) {
            try read([0xff]) { try $0.readUInt16() }
        }
    }

    @Test func signedIntAcceptsEveryForm() throws {
        #expect(try read([0xd1, 0x00, 0xc8]) { try $0.readInt() } == 200)
        #expect(try read([0xcc, 0xc8]) { try $0.readInt() } == 200)
        #expect(try read([0xfb]) { try $0.readInt() } == -5)
        #expect(try read([0xd0, 0x80]) { try $0.readInt() } == -128)
        #expect(throws: MessagePackError.self) { try read([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) { try $0.readInt() } }
    }

    @Test func stringsFromEveryRawAndBinForm() throws {
        let abc = Array("abc".utf8)
        for bytes in [[0xa3] + abc, [0xd9, 3] + abc, [0xda, 0, 3] + abc, [0xdb, 0, 0, 0, 3] + abc,
                      [0xc4, 3] + abc, [0xc5, 0, 3] + abc, [0xc6, 0, 0, 0, 3] + abc] {
            #expect(try read(bytes) { try $0.readString() } == "abc")
            #expect(try read(bytes) { try $0.readBytes() } == abc)
        }
        #expect(try read([0xc0]) { try $0.readString() } == "")
        #expect(try read([0xc0]) { try $0.readBytes() } == nil)
        #expect(try read([0xa0]) { try $0.readBytes() } == [])
    }

    @Test func byteFieldsFromArraysOfSmallInts() throws {
        #expect(try read([0x96, 1, 5, 2, 0, 0, 0]) { try $0.readBytes() } == [1, 5, 2, 0, 0, 0])
        #expect(try read([0x92, 0xcc, 0xff, 0xd0, 0x01]) { try $0.readBytes() } == [255, 1])
        #expect(try read([0x94, 10, 0, 0, 1]) { try $0.readAddress() } == IPAddress(10, 0, 0, 1))
        #expect(throws: MessagePackError.self) { try read([0x91, 0xcd, 0x01, 0x00]) { try $0.readBytes() } }
        #expect(throws: MessagePackError.self) { try read([0x91, 0xff]) { try $0.readBytes() } }
    }

    @Test func boolFromFormatsAndZeroOne() throws {
        #expect(try read([0xc3]) { try $0.readBool() })
        #expect(try !read([0xc2]) { try $0.readBool() })
        #expect(try read([0x01]) { try $0.readBool() })
        #expect(try !read([0x00]) { try $0.readBool() })
        #expect(try read([0xcc, 0x01]) { try $0.readBool() })
        #expect(throws: MessagePackError.self) { try read([0x02]) { try $0.readBool() } }
        #expect(throws: MessagePackError.self) { try read([0xa1, 0x31]) { try $0.readBool() } }
    }

    @Test func addressLongerThan16BytesIsRejected() {
        #expect(throws: MessagePackError.self) { try read([0xb1] + [UInt8](repeating: 1, count: 17)) { try $0.readAddress() } }
    }

    @Test func skipsEveryValueKind() throws {
        let values: [[UInt8]] = [
            [0x05], [0xe5], [0xc0], [0xc2], [0xc3], [0xcc, 1], [0xcd, 1, 2], [0xce, 1, 2, 3, 4], [0xcf] + [UInt8](repeating: 0, count: 8),
            [0xd0, 1], [0xd1, 1, 2], [0xd2, 1, 2, 3, 4], [0xd3] + [UInt8](repeating: 0, count: 8),
            [0xca, 0, 0, 0, 0], [0xcb] + [UInt8](repeating: 0, count: 8),
            [0xa2, 0x61, 0x62], [0xd9, 1, 0x61], [0xda, 0, 1, 0x61], [0xdb, 0, 0, 0, 1, 0x61],
            [0xc4, 1, 9], [0xc5, 0, 1, 9], [0xc6, 0, 0, 0, 1, 9],
            [0xd4, 1, 2], [0xd5, 1, 2, 3], [0xd6, 1] + [UInt8](repeating: 0, count: 4), [0xd7, 1] + [UInt8](repeating: 0, count: 8),
            [0xd8, 1] + [UInt8](repeating: 0, count: 16), [0xc7, 2, 1, 0, 0], [0xc8, 0, 1, 1, 0], [0xc9, 0, 0, 0, 1, 1, 0],
            [0x92, 0x01, 0xa1, 0x61], [0xdc, 0, 1, 0xc0], [0xdd, 0, 0, 0, 1, 0xc0],
            [0x81, 0xa1, 0x61, 0x91, 0x81, 0xa1, 0x62, 0x80], [0xde, 0, 1, 1, 2], [0xdf, 0, 0, 0, 1, 1, 2],
        ]
        for value in values {
            try read(value) { try $0.skipValue() }
        }
    }

    @Test func reservedFormatAndTruncationAreErrors() {
        #expect(throws: MessagePackError.reservedFormat(offset: 0)) { try read([0xc1]) { try $0.skipValue() } }
        #expect(throws: MessagePackError.truncated(offset: 0, needed: 3, available: 1)) { try read([0xa3, 0x61]) { try $0.skipValue() } }
        #expect(throws: MessagePackError.self) { try read([0xdb, 0xff, 0xff, 0xff, 0xff]) { try $0.skipValue() } }
        #expect(throws: MessagePackError.self) { try read([0xdd, 0xff, 0xff, 0xff, 0xff]) { try $0.skipValue() } }
        #expect(throws: MessagePackError.self) { try read([0xdf, 0xff, 0xff, 0xff, 0xff]) { try $0.skipValue() } }
    }

    @Test func nestingBombHitsDepthLimit() {
        let bomb = [UInt8](repeating: 0x91, count: 10_000) + [0x00]
        #expect(throws: MessagePackError.nestingTooDeep(offset: MessagePackReader.defaultDepthLimit, limit: MessagePackReader.defaultDepthLimit)) {
            try read(bomb) { try $0.skipValue() }
        }
        let shallow = [UInt8](repeating: 0x91, count: 10) + [0x00]
        #expect(throws: Never.self) { try read(shallow) { try $0.skipValue() } }
    }

    @Test func unknownKeysAreSkippedIncludingNested() throws {
        // ackResp with an unknown nested map and array before and between the known keys.
        var buffer = WireBuffer()
        buffer.writeMapHeader(count: 4)
        buffer.writeKey("Extra"); buffer.append(contentsOf: [0x82, 0xa1, 0x61, 0x93, 1, 2, 0x81, 0xa1, 0x78, 0xc0, 0xa1, 0x62, 0xcb] + [UInt8](repeating: 0, count: 8))
        buffer.writeKey("SeqNo"); buffer.writeUnsigned(9)
        buffer.writeKey("Zzz"); buffer.append(contentsOf: [0xc6, 0, 0, 0, 2, 1, 2])
        buffer.writeKey("Payload"); buffer.writeBytes([7])
        #expect(try AckResponse.decode(buffer.bytes) == AckResponse(seqNo: 9, payload: [7]))
    }

    @Test func missingKeysAreZero() throws {
        #expect(try Alive.decode([0x80]) == Alive(incarnation: 0, node: "", addr: IPAddress(), port: 0, meta: nil, vsn: []))
        #expect(try Ping.decode([0x81, 0xa5] + Array("SeqNo".utf8) + [0x07]) == Ping(seqNo: 7, node: ""))
        #expect(try PushPullHeader.decode([0xc0]) == PushPullHeader(nodes: 0, userStateLength: 0, join: false))
    }

    @Test func wrongFieldTypeNamesTheField() {
        // Ping with SeqNo as a string.
        let bytes: [UInt8] = [0x81, 0xa5] + Array("SeqNo".utf8) + [0xa1, 0x31]
        #expect(throws: MessageDecodeError.field(message: "ping", field: "SeqNo",
                                                 .unexpectedFormat(offset: 7, expected: "uint32", found: 0xa1))) {
            try Ping.decode(bytes)
        }
    }

    @Test func mapWithHugeDeclaredCountFailsFast() {
        #expect(throws: MessageDecodeError.self) { try Ping.decode([0xdf, 0xff, 0xff, 0xff, 0xff]) }
    }

    @Test func unknownNodeStateIsInvalid() {
        var buffer = WireBuffer()
        buffer.writeMapHeader(count: 1)
        buffer.writeKey("State"); buffer.writeInt(7)
        #expect(throws: MessageDecodeError.invalidValue(message: "pushNodeState", field: "State", found: 7)) {
            try PushNodeState.decode(buffer.bytes)
        }
    }

    @Test func invalidUTF8IsRepairedNotFatal() throws {
        #expect(try read([0xa2, 0xff, 0x61]) { try $0.readString() } == "\u{FFFD}a")
    }

    /// Found by FuzzMessagePack: 138 invalid bytes fit the 255-byte bound but repair to 414
    /// bytes, so a node that accepted the name would gossip one that every Swift peer refuses.
    @Test func nodeNameBoundCountsTheRepairedName() throws {
        func header(_ count: Int) -> [UInt8] { [0xd9, UInt8(count)] }
        let fits = header(85) + [UInt8](repeating: 0x8a, count: 85)
        let name = try read(fits) { try $0.readNodeName() }
        #expect(name.utf8.count == 255)
        var buffer = WireBuffer()
        buffer.writeString(name)
        #expect(try read(buffer.bytes) { try $0.readNodeName() } == name)

        let grows = header(86) + [UInt8](repeating: 0x8a, count: 86)
        #expect(throws: MessagePackError.self) { try read(grows) { try $0.readNodeName() } }
        // Valid UTF-8 up to the bound is untouched.
        let valid = header(255) + [UInt8](repeating: 0x61, count: 255)
        #expect(try read(valid) { try $0.readNodeName() }.utf8.count == 255)
    }
}
