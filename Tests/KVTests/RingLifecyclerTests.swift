import Membership
import Testing
import KV
import Simulation

/// The lifecycler's ring writes (dskit-kv-ring.md 5.3), run through CAS on KV stores that
/// exchange their local broadcasts.
@Suite struct RingLifecyclerTests {
    private let key = "collectors/ring"
    private let codec = RingDescCodec.codecID
    private let start: Int64 = 1_767_225_600_000

    @Test func generatedTokensAreFreshUniqueAndSorted() {
        var random = SplitMix64(seed: 7)
        let taken: Set<UInt32> = [1, 2, 3]
        let tokens = RingTokenGenerator.generate(count: 128, taken: taken, using: &random)
        #expect(tokens.count == 128)
        #expect(Set(tokens).count == 128)
        #expect(tokens == tokens.sorted())
        #expect(Set(tokens).isDisjoint(with: taken))
    }

    @Test func registerJoinHeartbeatLeaveUnregister() throws {
        var random = SplitMix64(seed: 1)
        var store = KVStore(config: KVStoreConfig(leftIngestersTimeoutMillis: 0))
        let lifecycler = RingLifecycler(instanceID: "ingester-1", addr: "10.0.0.1:9095", zone: "z", numTokens: 4)

        func cas(_ now: Int64, _ update: (RingDesc?) -> RingDesc?) throws -> KVCASOutcome {
            try store.cas(key: key, codecID: codec, nowMillis: now) { update($0 as? RingDesc) }
        }
        func mine() -> InstanceDesc? { (store.entries[key]?.value as? RingDesc)?.instances["ingester-1"] }

        guard case .changed = try cas(start, { lifecycler.register($0, nowMillis: start, using: &random) }) else {
            Issue.record("register wrote nothing"); return
        }
        #expect(mine()?.state == .pending)
        #expect(mine()?.registeredTimestamp == start / 1000)
        #expect(mine()?.tokens == [])

        let joined = start + 1000
        _ = try cas(joined) { lifecycler.join($0, nowMillis: joined, using: &random) }
        #expect(mine()?.state == .active)
        #expect(mine()?.tokens.count == 4)
        let tokens = mine()?.tokens

        // A heartbeat in the same second merges to nothing: the caller retries a second later.
        guard case .noChangeDetected = try cas(joined, { lifecycler.heartbeat($0, state: .active, nowMillis: joined) }) else {
            Issue.record("same-second heartbeat should not change the ring"); return
        }
        let beat = joined + 5000
        _ = try cas(beat) { lifecycler.heartbeat($0, state: .active, nowMillis: beat) }
        #expect(mine()?.timestamp == beat / 1000)
        #expect(mine()?.tokens == tokens)
        #expect(mine()?.registeredTimestamp == start / 1000)

        let leaving = beat + 1000
        _ = try cas(leaving) { lifecycler.leave($0, nowMillis: leaving) }
        #expect(mine()?.state == .leaving)

        // Restarted while LEAVING: back to ACTIVE, tokens kept, registration kept.
        let restart = leaving + 1000
        _ = try cas(restart) { lifecycler.register($0, nowMillis: restart, using: &random) }
        #expect(mine()?.state == .active)
        #expect(mine()?.tokens == tokens)
        #expect(mine()?.registeredTimestamp == start / 1000)

        let gone = restart + 1000
        _ = try cas(gone) { lifecycler.unregister($0) }
        #expect(mine()?.state == .left)
        #expect(mine()?.timestamp == gone / 1000)
        #expect(store.get(key).map { ($0.value as? RingDesc)?.instances.isEmpty } == true)
        #expect(store.queues.local.count >= 1)
    }

    @Test func threeStoresSeeEachOthersInstancesThroughLocalBroadcasts() throws {
        var random = SplitMix64(seed: 3)
        var stores = [KVStore](repeating: KVStore(), count: 3)
        for index in 0..<3 {
            let lifecycler = RingLifecycler(instanceID: "i\(index)", addr: "a\(index)", numTokens: 8)
            _ = try stores[index].cas(key: key, codecID: codec, nowMillis: start) {
                lifecycler.register($0 as? RingDesc, nowMillis: start, using: &random)
            }
            _ = try stores[index].cas(key: key, codecID: codec, nowMillis: start + 1000) {
                lifecycler.join($0 as? RingDesc, nowMillis: start + 1000, using: &random)
            }
        }
        // Deliver every queued message to every other store until no queue holds anything.
        var rounds = 0
        while stores.contains(where: { $0.queues.local.count + $0.queues.gossip.count > 0 }), rounds < 20 {
            rounds += 1
            for sender in 0..<3 {
                let messages = stores[sender].queues.take(overhead: 3, limit: 1400, nodeCount: 2)
                for receiver in 0..<3 where receiver != sender {
                    for message in messages { _ = stores[receiver].receive(message: message[...], nowMillis: start + 2000) }
                }
            }
        }
        let rings = stores.map { $0.get(key)?.value as? RingDesc }
        #expect(rings[0]?.instances.count == 3)
        #expect(rings[0] == rings[1] && rings[1] == rings[2])
        #expect(rings[0]?.instances.values.allSatisfy { $0.state == .active && $0.tokens.count == 8 } == true)
    }
}
