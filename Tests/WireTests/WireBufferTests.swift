import Testing
@testable import Wire

@Suite struct WireBufferTests {
    @Test func reusedBufferKeepsItsStorageAcrossEncodes() {
        var buffer = WireBuffer(capacity: 1400)
        let ping = Message.ping(Ping(seqNo: 1, node: "node-b", sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7946, sourceNode: "node-a"))
        let ack = Message.ack(AckResponse(seqNo: 1, payload: nil))
        let capacity = buffer.capacity
        let base = buffer.withUnsafeBytes { $0.baseAddress }
        for round in 0..<1000 {
            buffer.removeAll(keepingCapacity: true)
            (round % 2 == 0 ? ping : ack).encode(into: &buffer)
        }
        #expect(buffer.capacity == capacity)
        #expect(buffer.withUnsafeBytes { $0.baseAddress } == base)
        #expect(buffer.bytes == ack.encodedBytes)
    }

    @Test func bigEndianHelpers() {
        var buffer = WireBuffer()
        buffer.append(bigEndian: UInt16(0x0102))
        buffer.append(bigEndian: UInt32(0x0304_0506))
        buffer.append(bigEndian: UInt64(0x0708_090a_0b0c_0d0e))
        #expect(buffer.bytes == Array(1...14))
        buffer.set(bigEndian: UInt16(0xaabb), at: 0)
        buffer.set(bigEndian: UInt32(0xccdd_eeff), at: 2)
        #expect(Array(buffer.bytes.prefix(6)) == [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
        buffer.truncate(to: 2)
        #expect(buffer.bytes == [0xaa, 0xbb])
    }
}
