import Membership
import Testing
import KV
import Simulation

/// The ring CRDT converges: random update histories applied in different orders at three
/// replicas end in the same ring, which is also the ring the merge rules predict. Two
/// replicas receive the writers' updates directly, each in its own order; the third sees
/// only the deltas the first two queue for gossip. Seeded; a failure names its seed.
///
/// Histories follow dskit's writer contract (dskit-kv-ring.md 5.1): a writer bumps its
/// timestamp on every change, so two different entries for an instance never share a
/// timestamp, except a LEFT tombstone made from the same entry (a local CAS removal in the
/// same second). Token ranges are disjoint per instance: with token conflicts dskit's merge
/// depends on arrival order.
@Suite struct RingConvergenceTests {
    private let key = "collectors/ring"
    private let now: Int64 = 1_767_225_600_000

    @Test(arguments: (0..<64).map { UInt64(0xC0FFEE) &+ UInt64($0) })
    func replicasConverge(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let updates = history(&random)

        var replicas = [KVStore](repeating: KVStore(config: KVStoreConfig(leftIngestersTimeoutMillis: 0)), count: 3)
        var forThird: [[UInt8]] = []
        for replica in 0..<2 {
            for update in updates.shuffled(using: &random) {
                _ = replicas[replica].receive(message: message(update)[...], nowMillis: now)
                forThird += replicas[replica].queues.gossip.broadcasts.map(\.message)
                replicas[replica].queues.gossip.removeAll()
            }
        }
        for delta in forThird.shuffled(using: &random) {
            _ = replicas[2].receive(message: delta[...], nowMillis: now)
        }

        let expected = predicted(updates)
        for (index, replica) in replicas.enumerated() {
            let ring = replica.entries[key]?.value as? RingDesc
            #expect(ring == expected, "seed \(seed): replica \(index) differs")
        }
    }

    /// The ring the rules predict: per instance the entry with the greatest timestamp, a LEFT
    /// one winning a tie.
    private func predicted(_ updates: [RingDesc]) -> RingDesc {
        var result = RingDesc()
        for update in updates {
            for (id, entry) in update.instances {
                guard let current = result.instances[id] else {
                    result.instances[id] = entry
                    continue
                }
                if entry.timestamp > current.timestamp || (entry.timestamp == current.timestamp && entry.state == .left) {
                    result.instances[id] = entry
                }
            }
        }
        return result
    }

    private func message(_ ring: RingDesc) -> [UInt8] {
        KeyValuePair(key: key, value: RingDescCodec().encodeRing(ring), codec: RingDescCodec.codecID).encoded()
    }

    /// Up to 40 single-instance updates over 6 instances; some updates carry two instances.
    private func history(_ random: inout SplitMix64) -> [RingDesc] {
        let states: [InstanceState] = [.active, .leaving, .pending, .joining]
        var updates: [RingDesc] = []
        for index in 0..<6 {
            let id = "ingester-\(index)"
            var timestamp = Int64(100)
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                timestamp += Int64.random(in: 1...3, using: &random)
                let base = UInt32(index) * 1000
                let tokens = (0..<Int.random(in: 0...4, using: &random)).map { _ in base + UInt32.random(in: 0..<1000, using: &random) }
                let entry = InstanceDesc(addr: "\(id):9095", timestamp: timestamp, state: states.randomElement(using: &random) ?? .active,
                                         tokens: tokens.sorted(), zone: "zone-\(index % 3)", registeredTimestamp: 100, id: id)
                updates.append(RingDesc(instances: [id: normalised(entry)]))
                if Int.random(in: 0..<5, using: &random) == 0 {
                    // Removed by a local CAS: a tombstone, in the same second or later.
                    var tombstone = entry
                    tombstone.state = .left
                    tombstone.tokens = []
                    tombstone.timestamp = timestamp + Int64.random(in: 0...1, using: &random)
                    timestamp = tombstone.timestamp
                    updates.append(RingDesc(instances: [id: tombstone]))
                }
            }
        }
        // Pair some updates of different instances into one message.
        var combined: [RingDesc] = []
        var pending = updates.shuffled(using: &random)[...]
        while let first = pending.popFirst() {
            if let second = pending.first, Bool.random(using: &random), second.instances.keys.first != first.instances.keys.first {
                pending.removeFirst()
                combined.append(RingDesc(instances: first.instances.merging(second.instances) { a, _ in a }))
            } else {
                combined.append(first)
            }
        }
        return combined
    }

    private func normalised(_ entry: InstanceDesc) -> InstanceDesc {
        var copy = entry
        var unique: [UInt32] = []
        for token in entry.tokens.sorted() where unique.last != token { unique.append(token) }
        copy.tokens = unique
        return copy
    }
}
