import Testing
@testable import Wire

/// The verified hex vectors of memberlist-wire.md §12, byte for byte.
@Suite struct MessageVectorTests {
    static let pingHex = "0085a44e6f6465a66e6f64652d62a55365714e6fcd012caa536f7572636541646472a40a000001aa536f757263654e6f6465a66e6f64652d61aa536f75726365506f7274cd1f0a"
    static let aliveHex = "0486a441646472a47f000001ab496e6361726e6174696f6e01a44d657461c0a44e6f6465a161a4506f7274cd1f0aa356736ea6010502000000"

    static let ping = Message.ping(Ping(seqNo: 300, node: "node-b", sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7946, sourceNode: "node-a"))
    static let alive = Message.alive(Alive(incarnation: 1, node: "a", addr: IPAddress(127, 0, 0, 1), port: 7946, meta: nil,
                                           vsn: [1, 5, 2, 0, 0, 0]))

    @Test func pingVector() throws {
        #expect(hexString(Self.ping.encodedBytes) == Self.pingHex)
        #expect(try Message.decode(hex(Self.pingHex)) == Self.ping)
    }

    @Test func aliveVector() throws {
        #expect(hexString(Self.alive.encodedBytes) == Self.aliveHex)
        #expect(try Message.decode(hex(Self.aliveHex)) == Self.alive)
    }

    @Test func pushPullHeaderVector() throws {
        let header = PushPullHeader(nodes: 3, userStateLength: 0, join: true)
        #expect(hexString(header.messagePackBytes) == "83a44a6f696ec3a54e6f64657303ac5573657253746174654c656e00")
        #expect(try PushPullHeader.decode(hex("83a44a6f696ec3a54e6f64657303ac5573657253746174654c656e00")) == header)
    }

    @Test func nodes200InBothCodecGenerations() throws {
        let v05 = hex("83a44a6f696ec3a54e6f646573ccc8ac5573657253746174654c656e00")
        let v2 = hex("83a44a6f696ec3a54e6f646573d100c8ac5573657253746174654c656e00")
        let header = PushPullHeader(nodes: 200, userStateLength: 0, join: true)
        #expect(header.messagePackBytes == v05)
        #expect(try PushPullHeader.decode(v05) == header)
        #expect(try PushPullHeader.decode(v2) == header)
    }

    @Test func compressMessageVector() throws {
        let payload = CompressedPayload(algorithm: 0, buffer: hex("00c3881148504c40"))
        #expect([9] + payload.messagePackBytes == hex("0982a4416c676f00a3427566a800c3881148504c40"))
        #expect(try CompressedPayload.decode(Array(hex("0982a4416c676f00a3427566a800c3881148504c40").dropFirst())) == payload)
    }
}
