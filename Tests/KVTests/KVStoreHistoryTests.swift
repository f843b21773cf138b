import Testing
import Wire
import KV

/// The store's message history (dskit-kv-ring.md 3.7) and its queues as memberlist's
/// `GetBroadcasts` (3.5): what the node reads for `/memberlist` and piggybacks on packets.
@Suite struct KVStoreHistoryTests {
    private let key = "collectors/ring"
    private let now: Int64 = 1_767_225_600_000

    private func pair(_ id: String, timestamp: Int64) -> [UInt8] {
        let ring = RingDesc(instances: [id: InstanceDesc(addr: "\(id):1", timestamp: timestamp, state: .active, id: id)])
        return KeyValuePair(key: key, value: RingDescCodec().encodeRing(ring), codec: RingDescCodec.codecID).encoded()
    }

    @Test func receivedAndSentMessagesAreRecordedWithVersionAndChanges() throws {
        var store = KVStore(config: KVStoreConfig(messageHistoryBufferBytes: 10_000))
        let first = pair("a", timestamp: 10)
        #expect(store.receive(message: first[...], nowMillis: now) == .changed(version: 1))
        #expect(store.receive(message: first[...], nowMillis: now) == .unchanged)
        #expect(store.history.received.map(\.version) == [1, 0], "a repeat is recorded with version 0")
        #expect(store.history.received.first?.changes == ["a"])
        #expect(store.history.received.first?.size == first.count)
        // The change was re-gossiped once: recorded as sent at the same version.
        #expect(store.history.sent.map(\.version) == [1])
        #expect(store.history.sent.first?.changes == ["a"])
    }

    @Test func noHistoryIsKeptWithAZeroBuffer() {
        var store = KVStore()
        _ = store.receive(message: pair("a", timestamp: 10)[...], nowMillis: now)
        #expect(store.history.received.isEmpty && store.history.sent.isEmpty)
    }

    @Test func queuesHandOutUserMessagesLocalFirstWithinTheLimit() throws {
        var store = KVStore()
        _ = store.receive(message: pair("remote", timestamp: 10)[...], nowMillis: now)
        _ = try store.cas(key: "collectors/own", codecID: RingDescCodec.codecID, nowMillis: now) { _ in
            RingDesc(instances: ["own": InstanceDesc(addr: "own:1", timestamp: 20, state: .active, id: "own")])
        }
        #expect(store.queues.hasUnsent)
        let local = try #require(store.queues.local.broadcasts.first?.message)
        let gossip = try #require(store.queues.gossip.broadcasts.first?.message)

        var messages: [Message] = []
        // Room for the local message only.
        let used = store.queues.take(overhead: 3, limit: local.count + 3, nodeCount: 3, into: &messages)
        #expect(used == local.count + 3)
        guard messages.count == 1, case .user(let body) = messages[0] else {
            Issue.record("expected one user message, got \(messages)")
            return
        }
        #expect(body == local)
        #expect(store.queues.gossip.hasUnsent, "the gossip message waits for the next packet")

        messages.removeAll()
        _ = store.queues.take(overhead: 3, limit: 1 << 20, nodeCount: 3, into: &messages)
        #expect(messages.count == 2)
        if case .user(let body)? = messages.last { #expect(body == gossip) }
        #expect(!store.queues.hasUnsent)
    }
}
