import Testing
@testable import Wire

/// Our length-prefixed dskit packet frames on a persistent connection (issue 14).
@Suite struct DskitPacketStreamFrameTests {
    private func frames(_ payloads: [[UInt8]], address: String = "10.0.0.1:7946") throws -> WireBuffer {
        var buffer = WireBuffer()
        for payload in payloads {
            var outcome: Result<Void, DskitFrameError> = .success(())
            payload.withUnsafeBytes { raw in
                do throws(DskitFrameError) {
                    try DskitPacketStreamFrame.encode(address: address, payload: raw, into: &buffer)
                } catch {
                    outcome = .failure(error)
                }
            }
            try outcome.get()
        }
        return buffer
    }

    @Test func eachFrameIsALengthThenAWholeDskitPacketFrame() throws {
        let buffer = try frames([[1, 2, 3], []])
        var plain = WireBuffer()
        try DskitPacketFrame.encode(address: "10.0.0.1:7946", payload: [1, 2, 3], into: &plain)
        #expect(Array(buffer.bytes[0..<4]) == [0, 0, 0, UInt8(plain.count)])
        #expect(Array(buffer.bytes[4..<(4 + plain.count)]) == plain.bytes)

        try buffer.withUnsafeBytes { bytes in
            let first = try #require(try DskitPacketStreamFrame.next(in: bytes, limit: 1024))
            let view = try DskitPacketFrame.decode(first.frame)
            #expect(Array(view.payload) == [1, 2, 3] && view.digestMatches)
            let rest = UnsafeRawBufferPointer(rebasing: bytes[first.consumed...])
            let second = try #require(try DskitPacketStreamFrame.next(in: rest, limit: 1024))
            #expect(try DskitPacketFrame.decode(second.frame).payload.isEmpty)
            #expect(second.consumed == rest.count)
        }
    }

    /// `next` on an array: the bytes consumed, nil while incomplete.
    private func consumed(_ bytes: [UInt8], limit: Int = 1024) throws(DskitFrameError) -> Int? {
        var outcome: Result<Int?, DskitFrameError> = .success(nil)
        bytes.withUnsafeBytes { raw in
            do throws(DskitFrameError) {
                outcome = .success(try DskitPacketStreamFrame.next(in: raw, limit: limit)?.consumed)
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Every proper prefix of a frame is "not yet", never a frame or an error.
    @Test func incompleteFramesWait() throws {
        let bytes = try frames([[9, 8, 7, 6]]).bytes
        for cut in 0..<bytes.count {
            #expect(try consumed(Array(bytes[..<cut])) == nil)
        }
        #expect(try consumed(bytes) == bytes.count)
    }

    @Test func oversizedAndEmptyDeclarationsAreRefused() {
        #expect(throws: DskitFrameError.frameTooLarge(declared: 1025, limit: 1024)) { try consumed([0, 0, 4, 1]) }
        #expect(throws: DskitFrameError.empty) { try consumed([0, 0, 0, 0, 1]) }
    }

    @Test func packetStreamMarkerIsOurThirdKind() throws {
        #expect(try DskitConnectionKind.classify(3) == .packetStream)
    }
}
