import Testing
import Wire
@testable import Membership

/// Byte lengths used for budgets, against the Go-verified vectors of memberlist-wire.md §12.
@Suite struct EncodedSizeTests {
    @Test func pingVectorIs71Bytes() {
        let ping = Ping(seqNo: 300, node: "node-b", sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7946, sourceNode: "node-a")
        #expect(EncodedSize.of(.ping(ping)) == 71)
    }

    @Test func aliveVectorIs57Bytes() {
        let alive = Alive(incarnation: 1, node: "a", addr: IPAddress(127, 0, 0, 1), port: 7946, meta: nil,
                          vsn: [1, 5, 2, 0, 0, 0])
        #expect(EncodedSize.of(.alive(alive)) == 0x39)
    }

    @Test func omitemptySourceFieldsAndIntegerWidths() {
        // 00 82 a4 Node a1 62 a5 SeqNo 01 → 2 + 5 + 2 + 6 + 1
        #expect(EncodedSize.of(.ping(Ping(seqNo: 1, node: "b"))) == 16)
        // SeqNo 70000 takes 0xce + 4 bytes.
        #expect(EncodedSize.of(.ping(Ping(seqNo: 70_000, node: "b"))) == 20)
        // 0b 81 a5 SeqNo 7f
        #expect(EncodedSize.of(.nack(NackResponse(seqNo: 127))) == 9)
        #expect(EncodedSize.of(.user([1, 2, 3])) == 4)
        // A 40-byte name uses 0xda + u16 length.
        let long = String(repeating: "x", count: 40)
        #expect(EncodedSize.of(.dead(Dead(incarnation: 1, node: long, from: "a")))
                == 2 + 5 + 2 + 12 + 1 + 5 + 43)
    }
}

/// The size function must agree with the Wire encoder byte for byte.
@Suite struct EncodedSizeAgreesWithEncoderTests {
    static let messages: [Message] = {
        let long = String(repeating: "n", count: 300)
        let v6 = IPAddress(bytes: [UInt8](repeating: 0xfe, count: 16))
        return [
            .ping(Ping(seqNo: 1, node: "b")),
            .ping(Ping(seqNo: 4_000_000_000, node: long, sourceAddr: v6, sourcePort: 65535, sourceNode: "a")),
            .indirectPing(IndirectPingRequest(seqNo: 200, target: IPAddress(10, 0, 0, 2), port: 7946, node: "b", nack: true,
                                              sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7946, sourceNode: "a")),
            .indirectPing(IndirectPingRequest(seqNo: 0, target: v6 ?? IPAddress(), port: 0, node: "", nack: false)),
            .ack(AckResponse(seqNo: 70_000, payload: nil)),
            .ack(AckResponse(seqNo: 1, payload: [UInt8](repeating: 1, count: 40))),
            .ack(AckResponse(seqNo: 1, payload: [])),
            .nack(NackResponse(seqNo: 255)),
            .suspect(Suspect(incarnation: 65_536, node: "node-b", from: "node-a")),
            .dead(Dead(incarnation: 0, node: long, from: long)),
            .alive(Alive(incarnation: 1, node: "a", addr: IPAddress(127, 0, 0, 1), port: 7946, meta: nil, vsn: [1, 5, 2, 0, 0, 0])),
            .alive(Alive(incarnation: 12, node: "a", addr: v6 ?? IPAddress(), port: 80, meta: [UInt8](repeating: 7, count: 512),
                         vsn: [1, 5, 2, 0, 0, 0])),
            .user([]),
            .user([UInt8](repeating: 3, count: 100)),
        ]
    }()

    @Test(arguments: messages)
    func sizeMatchesEncodedBytes(_ message: Message) {
        #expect(EncodedSize.of(message) == message.encodedBytes.count)
    }
}
