import Membership
import Testing
import Wire
@testable import Node

/// Loop-independent pieces of the node: timer queue, logfmt quoting and
/// address conversion (the user-message relay is tested in MembershipTests).
@Suite struct NodeSupportTests {
    @Test func timerQueuePopsDueTimersEarliestFirst() {
        var queue = CoreTimerQueue()
        queue.add(.gossipTick, at: 300)
        queue.add(.probeTick, at: 100)
        queue.add(.pushPullTick, at: 200)
        queue.add(.probeTimeout(seqNo: 7), at: 900)
        #expect(queue.earliest == 100)
        var due: [MembershipTimer] = []
        queue.popDue(now: 300, into: &due)
        #expect(due == [.probeTick, .pushPullTick, .gossipTick])
        #expect(queue.count == 1)
        #expect(queue.earliest == 900)
        due.removeAll()
        queue.popDue(now: 899, into: &due)
        #expect(due.isEmpty)
    }

    @Test func logfmtQuoting() {
        #expect(Logger.quoted("plain") == "plain")
        #expect(Logger.quoted("") == "\"\"")
        #expect(Logger.quoted("two words") == "\"two words\"")
        #expect(Logger.quoted("a=b") == "\"a=b\"")
        #expect(Logger.quoted("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"")
        let stamp = Logger.timestamp()
        #expect(stamp.count == 24 && stamp.hasSuffix("Z") && stamp.dropFirst(10).first == "T")
    }

    @Test func addressesRoundTripBetweenCoreAndLoop() throws {
        let v4 = NodeAddress(ip: IPAddress(10, 1, 2, 3), port: 7946)
        let socket = try #require(v4.socketAddress)
        #expect(socket.description == "10.1.2.3:7946")
        #expect(NodeAddress(socket) == v4)
        let v6Bytes: [UInt8] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        let v6 = NodeAddress(ip: try #require(IPAddress(bytes: v6Bytes)), port: 1)
        let socket6 = try #require(v6.socketAddress)
        #expect(socket6.description == "[fd00::1]:1")
        #expect(NodeAddress(socket6) == v6)
        #expect(NodeAddress(ip: try #require(IPAddress(bytes: [1, 2, 3])), port: 1).socketAddress == nil)
    }

    @Test func dropReasonsNameTheLayer() {
        #expect(PacketError.labelMismatch(expected: [1], found: [2]).dropReason == "label")
        #expect(PacketError.decryptionFailed(reason: "x").dropReason == "decrypt")
        #expect(PacketError.checksumMismatch(expected: 1, computed: 2).dropReason == "checksum")
        #expect(PacketError.unknownType(99).dropReason == "malformed")
        #expect(PacketError.emptyDecompressed.dropReason == "decompress")
    }
}
