import Testing
import EventLoop
import Wire

@Suite struct UDPTests {
    struct Received: Sendable, Equatable {
        var index: Int
        var length: Int
        var source: SocketAddress
        var payloadIntact: Bool
    }

    struct Outcome: Sendable {
        var received: [Received]
        var senderA: SocketAddress
        var senderB: SocketAddress
        var counters: UDPCounters
    }

    /// Datagram `index` is `length(index)` bytes: index (2 bytes LE) then a pattern.
    static func length(_ index: Int) -> Int { index == 7 ? 60_000 : 16 + (index * 37) % 1_400 }
    static func byte(_ index: Int, _ offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: index &* 31 &+ offset) }

    /// Sends `count` datagrams from two sockets in one loop turn, so they are
    /// queued before the receiver runs and arrive in recvmmsg batches.
    func exchange(ip: String, count: Int) async throws -> Outcome {
        try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Outcome) -> Void) in
                let any = try #require(SocketAddress(ip: ip, port: 0))
                var received: [Received] = []
                var receiverRef: UDPSocket?
                var senders: [UDPSocket] = []
                let receiver = try loop.bindUDP(any) { datagram in
                    let bytes = datagram.bytes
                    guard bytes.count >= 2 else { return }
                    let index = Int(bytes[0]) | Int(bytes[1]) << 8
                    var intact = bytes.count == Self.length(index)
                    for offset in 2..<bytes.count where bytes[offset] != Self.byte(index, offset) { intact = false }
                    received.append(Received(index: index, length: bytes.count, source: datagram.source, payloadIntact: intact))
                    if received.count == count, let receiverRef {
                        finish(Outcome(received: received, senderA: senders[0].localAddress,
                                       senderB: senders[1].localAddress, counters: receiverRef.counters))
                    }
                }
                receiverRef = receiver
                senders = [try loop.bindUDP(any) { _ in }, try loop.bindUDP(any) { _ in }]
                for index in 0..<count {
                    let sender = senders[index % 2]
                    let sent = sender.send(to: receiver.localAddress) { buffer in
                        let length = Self.length(index)
                        buffer[0] = UInt8(index & 0xFF)
                        buffer[1] = UInt8(index >> 8)
                        for offset in 2..<length { buffer[offset] = Self.byte(index, offset) }
                        return length
                    }
                    #expect(sent)
                }
            }
        }
    }

    func check(_ outcome: Outcome, count: Int) {
        #expect(outcome.received.count == count)
        #expect(Set(outcome.received.map(\.index)) == Set(0..<count))
        for datagram in outcome.received {
            #expect(datagram.payloadIntact)
            #expect(datagram.length == Self.length(datagram.index))
            #expect(datagram.source == (datagram.index % 2 == 0 ? outcome.senderA : outcome.senderB))
        }
        #expect(outcome.counters.received == count)
        // More than one datagram per system call on average: recvmmsg batched.
        #expect(outcome.counters.receiveBatches < count / 2)
        #expect(outcome.counters.truncated == 0)
    }

    @Test func batchReceiveOverIPv4KeepsSourcesAndPayloads() async throws {
        let outcome = try await exchange(ip: "127.0.0.1", count: 300)
        check(outcome, count: 300)
        #expect(outcome.senderA.family == .ipv4)
        #expect(outcome.senderA.ipString == "127.0.0.1")
    }

    @Test func batchReceiveOverIPv6KeepsSourcesAndPayloads() async throws {
        let outcome = try await exchange(ip: "::1", count: 300)
        check(outcome, count: 300)
        #expect(outcome.senderA.family == .ipv6)
        #expect(outcome.senderA.description == "[::1]:\(outcome.senderA.port)")
    }

    @Test func addressParsingIsNumericOnly() throws {
        let v4 = try #require(SocketAddress(ip: "10.1.2.3", port: 7946))
        #expect(v4.ip == IPAddress(10, 1, 2, 3))
        #expect(v4.description == "10.1.2.3:7946")
        let v6 = try #require(SocketAddress(ip: "fe80::1", port: 1))
        #expect(v6.ip.count == 16)
        #expect(v6.ip[0] == 0xFE && v6.ip[15] == 1)
        #expect(SocketAddress(ip: "localhost", port: 1) == nil)
        #expect(SocketAddress(ip: "1.2.3", port: 1) == nil)
        #expect(SocketAddress(ip: "[::1]", port: 1) == SocketAddress(ip: "::1", port: 1))
        #expect(SocketAddress(ip: "010.1.2.3", port: 1) == nil)
        #expect(SocketAddress(ip: IPAddress(bytes: [1, 2, 3]) ?? IPAddress(), port: 1) == nil)
        #expect(SocketAddress(ip: IPAddress(127, 0, 0, 1), port: 80) == SocketAddress(ip: "127.0.0.1", port: 80))
    }

    /// Something the reader captures, to see whether the socket still holds the reader.
    final class Captured {}

    /// A closed socket drops its reader: whatever the reader captures (often the socket's
    /// owner) is not kept alive by the socket (found as a leak by LeakSanitizer).
    @Test func closingASocketDropsItsReader() async throws {
        let released = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ((held: Bool, released: Bool)) -> Void) in
                var captured: Captured? = Captured()
                weak let watched = captured
                let socket = try loop.bindUDP(try #require(SocketAddress(ip: "127.0.0.1", port: 0))) { [captured] _ in
                    _ = captured
                }
                captured = nil
                let held = watched != nil
                socket.close()
                finish((held, watched == nil))
            }
        }
        #expect(released.held, "the open socket holds its reader")
        #expect(released.released, "the closed socket let its reader go")
    }
}
