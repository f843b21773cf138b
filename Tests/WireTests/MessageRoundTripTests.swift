import Testing
@testable import Wire

/// Every message type encodes and decodes back to itself (memberlist-wire.md §2.4).
@Suite struct MessageRoundTripTests {
    static let mapped = IPAddress(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 9]) ?? IPAddress()

    static let samples: [Message] = [
        .ping(Ping(seqNo: 0, node: "")),
        .ping(Ping(seqNo: UInt32.max, node: "n", sourceAddr: mapped, sourcePort: 65535, sourceNode: "src")),
        .indirectPing(IndirectPingRequest(seqNo: 7, target: IPAddress(10, 1, 2, 3), port: 7946, node: "target", nack: true,
                                          sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7947, sourceNode: "me")),
        .indirectPing(IndirectPingRequest(seqNo: 8, target: mapped, port: 1, node: "t", nack: false)),
        .ack(AckResponse(seqNo: 1, payload: nil)),
        .ack(AckResponse(seqNo: 70000, payload: [])),
        .ack(AckResponse(seqNo: 2, payload: [UInt8](repeating: 0xab, count: 300))),
        .nack(NackResponse(seqNo: 65536)),
        .suspect(Suspect(incarnation: 5, node: "x", from: "y")),
        .alive(Alive(incarnation: 1 << 31, node: String(repeating: "n", count: 40), addr: mapped, port: 80,
                     meta: [UInt8](repeating: 1, count: 512), vsn: ProtocolVersion.vsn())),
        .alive(Alive(incarnation: 1, node: "ü-node", addr: IPAddress(1, 2, 3, 4), port: 0, meta: [], vsn: [1, 5, 2, 0, 0, 0])),
        .dead(Dead(incarnation: 9, node: "gone", from: "gone")),
        .user([]),
        .user([8, 0, 1, 2]),
        .error(ErrorResponse(error: "bad things")),
        .pushPull(PushPullState(join: true, nodes: [
            PushNodeState(name: "a", addr: IPAddress(10, 0, 0, 1), port: 7946, meta: nil, incarnation: 1, state: .alive, vsn: ProtocolVersion.vsn()),
            PushNodeState(name: "b", addr: mapped, port: 7946, meta: [1, 2], incarnation: 300, state: .suspect, vsn: ProtocolVersion.vsn()),
            PushNodeState(name: "c", addr: IPAddress(10, 0, 0, 3), port: 1, meta: [], incarnation: 2, state: .dead, vsn: ProtocolVersion.vsn()),
            PushNodeState(name: "d", addr: IPAddress(10, 0, 0, 4), port: 2, meta: nil, incarnation: 3, state: .left, vsn: ProtocolVersion.vsn()),
        ], userState: [UInt8](repeating: 7, count: 200))),
        .pushPull(PushPullState(join: false, nodes: [], userState: [])),
    ]

    @Test(arguments: samples)
    func roundTrip(_ message: Message) throws {
        let bytes = message.encodedBytes
        #expect(bytes.first == message.type.rawValue)
        #expect(try Message.decode(bytes) == message)
    }

    @Test(arguments: samples)
    func streamFormRoundTrip(_ message: Message) throws {
        var buffer = WireBuffer()
        message.encodeForStream(into: &buffer)
        let bytes = buffer.bytes
        let decoded = try bytes.withUnsafeBytes { raw in try Message.decodeStreamMessage(raw) }
        #expect(decoded.message == message)
        if case .user = message {} else { #expect(decoded.consumed == bytes.count) }
        if case .user(let raw) = message {
            #expect(decoded.consumed == bytes.count)
            #expect(bytes.count > raw.count + 1, "stream user message carries a UserMsgLen header")
        }
    }

    @Test func omitemptyDropsSourceFields() {
        let bytes = Message.ping(Ping(seqNo: 1, node: "n")).encodedBytes
        // 00, fixmap 2, "Node" "n", "SeqNo" 1
        #expect(bytes == [0x00, 0x82, 0xa4] + Array("Node".utf8) + [0xa1, 0x6e, 0xa5] + Array("SeqNo".utf8) + [0x01])
    }

    @Test func nilAndEmptyPayloadsDiffer() {
        #expect(Message.ack(AckResponse(seqNo: 1, payload: nil)).encodedBytes.contains(0xc0))
        let empty = Message.ack(AckResponse(seqNo: 1, payload: [])).encodedBytes
        #expect(empty == [0x02, 0x82, 0xa7] + Array("Payload".utf8) + [0xa0, 0xa5] + Array("SeqNo".utf8) + [0x01])
    }

    @Test func longStringsUseRaw16AndRaw32() {
        var buffer = WireBuffer()
        buffer.writeString(String(repeating: "x", count: 31))
        #expect(buffer[0] == 0xbf)
        buffer.removeAll()
        buffer.writeString(String(repeating: "x", count: 32))
        #expect(Array(buffer.bytes.prefix(3)) == [0xda, 0x00, 0x20])
        buffer.removeAll()
        buffer.writeBytes([UInt8](repeating: 0, count: 65536))
        #expect(Array(buffer.bytes.prefix(5)) == [0xdb, 0x00, 0x01, 0x00, 0x00])
        #expect(buffer.count == 5 + 65536)
    }

    @Test func unsignedIntegersUseSmallestForm() {
        func encoded(_ value: UInt64) -> [UInt8] {
            var buffer = WireBuffer()
            buffer.writeUnsigned(value)
            return buffer.bytes
        }
        #expect(encoded(0) == [0x00])
        #expect(encoded(127) == [0x7f])
        #expect(encoded(128) == [0xcc, 0x80])
        #expect(encoded(255) == [0xcc, 0xff])
        #expect(encoded(256) == [0xcd, 0x01, 0x00])
        #expect(encoded(65535) == [0xcd, 0xff, 0xff])
        #expect(encoded(65536) == [0xce, 0x00, 0x01, 0x00, 0x00])
        #expect(encoded(UInt64(UInt32.max)) == [0xce, 0xff, 0xff, 0xff, 0xff])
        #expect(encoded(UInt64(UInt32.max) + 1) == [0xcf, 0, 0, 0, 1, 0, 0, 0, 0])
    }

    @Test func negativeIntsUseSignedForms() {
        func encoded(_ value: Int64) -> [UInt8] {
            var buffer = WireBuffer()
            buffer.writeInt(value)
            return buffer.bytes
        }
        #expect(encoded(-1) == [0xff])
        #expect(encoded(-32) == [0xe0])
        #expect(encoded(-33) == [0xd0, 0xdf])
        #expect(encoded(-129) == [0xd1, 0xff, 0x7f])
        #expect(encoded(-40000) == [0xd2, 0xff, 0xff, 0x63, 0xc0])
        #expect(encoded(Int64.min) == [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func keysAreSortedBytewise() throws {
        // Walk every encoded struct's map keys and check ascending order.
        for message in Self.samples {
            guard case .pushPull = message else {
                if case .user = message { continue }
                let bytes = message.encodedBytes
                try bytes.withUnsafeBytes { raw in
                    var reader = MessagePackReader(raw, offset: 1)
                    let count = try reader.readMapCount()
                    var previous: [UInt8] = []
                    for _ in 0..<count {
                        let key = Array(try reader.readKey().bytes)
                        #expect(previous.lexicographicallyPrecedes(key), "keys out of order in \(message.type)")
                        previous = key
                        try reader.skipValue()
                    }
                }
                continue
            }
        }
    }
}
