import Membership
import Testing

/// The user-message relay rule shared by node and simulator: each distinct
/// payload delivered and relayed once, exact identity, bounded FIFO memory.
@Suite struct UserMessageRelayTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `firstSighting` of each payload in order.
    func sight(_ relay: inout UserMessageRelay, _ payloads: [[UInt8]]) -> [Bool] {
        payloads.map { relay.firstSighting($0) }
    }

    @Test func firstSightingIsTrueAndRepeatIsFalse() {
        var relay = UserMessageRelay()
        let seen = sight(&relay, [bytes("deploy v2"), bytes("deploy v2"), bytes("deploy v3"), bytes("deploy v3")])
        #expect(seen == [true, false, true, false])
        #expect(relay.count == 2)
        #expect(relay.storedBytes == 18)
    }

    @Test func collidingFingerprintsDoNotDropADistinctPayload() {
        var relay = UserMessageRelay(fingerprint: { _ in 42 })
        let seen = sight(&relay, [bytes("a"), bytes("b"), [], bytes("a"), bytes("b"), []])
        #expect(seen == [true, true, true, false, false, false], "same fingerprint, different bytes: still new")
        #expect(relay.count == 3)
    }

    @Test func entryBoundForgetsTheOldestFirst() {
        var relay = UserMessageRelay(maxEntries: 3)
        #expect(sight(&relay, [bytes("1"), bytes("2"), bytes("3"), bytes("4")]) == [true, true, true, true])
        #expect(relay.count == 3)
        #expect(!relay.contains(bytes("1")), "the oldest is forgotten first")
        #expect(relay.contains(bytes("2")) && relay.contains(bytes("3")) && relay.contains(bytes("4")))
        #expect(sight(&relay, [bytes("1")]) == [true], "a forgotten payload is new again")
        #expect(!relay.contains(bytes("2")))
        #expect(relay.contains(bytes("3")))
    }

    @Test func byteBoundForgetsAsManyOldPayloadsAsNeeded() {
        var relay = UserMessageRelay(maxEntries: 100, maxBytes: 10)
        let four1 = [UInt8](repeating: 1, count: 4), four2 = [UInt8](repeating: 2, count: 4)
        #expect(sight(&relay, [four1, four2]) == [true, true])
        #expect(relay.storedBytes == 8)
        #expect(sight(&relay, [[UInt8](repeating: 3, count: 6)]) == [true])
        #expect(relay.storedBytes == 10, "forgetting the oldest was enough")
        #expect(!relay.contains(four1) && relay.contains(four2))
        #expect(sight(&relay, [[UInt8](repeating: 4, count: 7)]) == [true])
        #expect(relay.storedBytes == 7, "both older payloads had to go to fit 7 bytes in 10")
        #expect(relay.count == 1)
    }

    @Test func payloadLargerThanTheBudgetIsRefusedAndCounted() {
        var relay = UserMessageRelay(maxEntries: 10, maxBytes: 4)
        #expect(sight(&relay, [bytes("abcd"), bytes("abcde")]) == [true, false])
        #expect(relay.oversizedDrops == 1)
        #expect(relay.contains(bytes("abcd")), "a refused payload evicts nothing")
    }

    @Test func boundsHoldOverManyPayloadsWithCollisions() {
        var relay = UserMessageRelay(maxEntries: 50, maxBytes: 400, fingerprint: { $0.count % 3 })
        func payload(_ index: Int) -> [UInt8] {
            [UInt8](repeating: UInt8(index & 0xff), count: 1 + index % 13) + [UInt8(index >> 8)]
        }
        var violations = 0
        for index in 0..<1000 {
            if sight(&relay, [payload(index), payload(index)]) != [true, false] { violations += 1 }
            if relay.count > 50 || relay.storedBytes > 400 { violations += 1 }
        }
        #expect(violations == 0)
        #expect(relay.contains(payload(999)), "the newest payload is always remembered")
        #expect(!relay.contains(payload(0)))
    }
}
