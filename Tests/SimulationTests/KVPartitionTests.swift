import KV
import Membership
import Simulation
import Testing

/// dskit's KV store across a partition and its heal, on the simulator (dskit-kv-ring.md 3.4,
/// 3.5, 5.1): six nodes each run the store behind their membership core. Both sides of a
/// 3/3 split keep writing (ring heartbeats, a ring entry registered and one unregistered, a
/// forget of an instance on the other side, concurrent CAS writes of one value, a delete of
/// a key the other side still writes, a key created on one side only). After the heal every
/// node must hold the same state, and that state must be the one the merge rules predict
/// from every write that was made: no ring entry and no KV update lost. Seeded; a failure
/// names its seed (`SIM_SEED` replays one).
@Suite struct KVPartitionTests {
    static let ringKey = "collectors/ring"
    static let compactorKey = "collectors/compactor"
    static let distributorKey = "collectors/distributor"
    static let bytesKey = "sidecar/settings"

    /// Tombstones are kept for the whole run (`left-ingesters-timeout` 0): a node that drops
    /// an old tombstone while another still holds it would differ for a reason that is not
    /// the merge, and the comparison below includes tombstones.
    static let kvConfig = KVStoreConfig(leftIngestersTimeoutMillis: 0,
                                        codecs: KVCodecRegistry([RingDescCodec(), SidecarBytesCodec()]))

    static let seeds: [UInt64] = [4_242, 0x5EED_0001, 0x5EED_0002, 0xC0FFEE, 77]

    @Test(arguments: seeds)
    func writesOnBothSidesOfAPartitionConvergeAfterHeal(seed defaultSeed: UInt64) throws {
        let seed = SimulationSeed.fromEnvironment(default: defaultSeed)
        var run = try Run(seed: seed)
        let nodes = run.nodes

        // Before the split: every node registers and joins its ingester, node 0 writes a
        // distributor ring and a sidecar value; everyone agrees.
        for (index, id) in nodes.enumerated() {
            try run.register(Run.instanceID(index), on: id)
        }
        try run.ring(Self.distributorKey, on: nodes[0]) { desc, now in
            desc.instances["distributor-0"] = InstanceDesc(addr: "10.1.0.0:9095", timestamp: now, state: .active,
                                                          tokens: [11, 22], registeredTimestamp: now, id: "distributor-0")
        }
        try run.writeBytes("v1 from n0", on: nodes[0])
        #expect(run.cluster.simulator.run(until: run.cluster.now + .seconds(30), checkingEvery: .milliseconds(100)) {
            run.cluster.kvStatesAgree(nodes)
        }, "no agreement before the split \(seed)")

        // The split, 20 s and more (CAS retries run the cluster on): each side declares the
        // other dead.
        let sideA = Array(nodes.prefix(3))
        let sideB = Array(nodes.suffix(3))
        let partition = run.cluster.simulator.partition(Partition.isolating(Set(sideA), from: nodes))
        for second in 1...20 {
            run.cluster.simulator.run(for: .seconds(1))
            // Heartbeats on both sides, each node every third second (not ingester-4 once it left).
            for (index, id) in nodes.enumerated() where second % 3 == index % 3 && !(index == 4 && second >= 4) {
                try run.heartbeat(Run.instanceID(index), on: id, state: .active)
            }
            switch second {
            case 2:
                // B: ingester-4 leaves (LEAVING, then unregistered: a LEFT tombstone).
                try run.heartbeat(Run.instanceID(4), on: sideB[1], state: .leaving)
            case 3:
                // A forgets ingester-5 (a LEFT tombstone), which B keeps heartbeating later on.
                try run.ring(Self.ringKey, on: sideA[1]) { desc, _ in desc.instances[Run.instanceID(5)] = nil }
                // Concurrent CAS of the sidecar value on both sides, same version.
                try run.writeBytes("v2 from side A", on: sideA[0])
                try run.writeBytes("v2 from side B", on: sideB[0])
            case 4:
                try run.unregister(Run.instanceID(4), on: sideB[1])
            case 5:
                // B deletes the distributor key, which A writes to two seconds later.
                try run.delete(Self.distributorKey, on: sideB[2])
                // A registers a second instance that B never sees before the heal.
                try run.register("ingester-2b", on: sideA[2])
            case 7:
                try run.ring(Self.distributorKey, on: sideA[0]) { desc, now in
                    desc.instances["distributor-1"] = InstanceDesc(addr: "10.1.0.1:9095", timestamp: now, state: .active,
                                                                  tokens: [33], registeredTimestamp: now, id: "distributor-1")
                }
            case 9:
                // A key created on B only, and a later sidecar write on A.
                try run.ring(Self.compactorKey, on: sideB[0]) { desc, now in
                    desc.instances["compactor-3"] = InstanceDesc(addr: "10.2.0.3:9095", timestamp: now, state: .active,
                                                                tokens: [44], registeredTimestamp: now, id: "compactor-3")
                }
                try run.writeBytes("v3 from side A", on: sideA[2])
            case 13:
                // A same-second rewrite merges to nothing: dskit's CAS retries it 1 s later.
                try run.heartbeat(Run.instanceID(0), on: sideA[0], state: .active)
                let attempts = try run.heartbeat(Run.instanceID(0), on: sideA[0], state: .active)
                #expect(attempts == 2, "same-second heartbeat took \(attempts) attempts \(seed)")
            default:
                break
            }
        }
        #expect(!run.cluster.kvStatesAgree(nodes), "the partition had no effect on the KV state \(seed)")

        run.cluster.simulator.heal(partition)
        let healedAt = run.cluster.now
        // Once the queues hold no dead messages, memberlist never contacts the "dead" side
        // again (PartitionTests); dskit's rejoin (`rejoin_interval`) joins the seeds again,
        // and each join is a push/pull carrying the KV state.
        for id in nodes where id != run.cluster.seedNode { run.cluster.rejoin(id) }
        let converged = run.cluster.simulator.run(until: healedAt + .seconds(300), checkingEvery: .milliseconds(100)) {
            run.cluster.allAliveAndAgreed(nodes) && run.cluster.kvStatesAgree(nodes)
        }
        #expect(converged, "KV state or membership still differs 300 s after the heal \(seed)")
        print("KV partition \(seed): one KV state \(run.cluster.now.since(healedAt)) after the heal, "
              + "\(run.writes) writes, \(run.cluster.deathDeclarations.count) dead declarations")

        // Every node holds what the merge rules predict from all writes made on either side.
        for id in nodes {
            guard let store = run.cluster.kvStore(id) else {
                Issue.record("node \(id) runs no KV store \(seed)")
                continue
            }
            #expect(store.keys() == [Self.compactorKey, Self.distributorKey, Self.ringKey, Self.bytesKey], "\(id) \(seed)")
            for (key, expected) in run.expectedRings {
                let ring = store.entries[key]?.value as? RingDesc
                #expect(ring == expected, "\(id) holds another \(key) \(seed)")
            }
            #expect(store.entries[Self.bytesKey]?.value as? SidecarBytes == run.expectedBytes, "\(id) \(seed)")
            #expect(store.entries[Self.distributorKey]?.deleted == true, "\(id) lost the delete \(seed)")
            #expect(store.entries[Self.distributorKey]?.updateTimeMillis == run.deletedAtMillis, "\(id) \(seed)")
            #expect(store.entries[Self.ringKey]?.deleted == false, "\(id) \(seed)")
        }
        // What those predictions say, spelled out.
        let ring = run.expectedRings[Self.ringKey]?.instances ?? [:]
        #expect(ring[Run.instanceID(4)]?.state == .left, "unregistered on B \(seed)")
        #expect(ring[Run.instanceID(5)]?.state == .active, "heartbeats after the forget win \(seed)")
        #expect(ring["ingester-2b"]?.state == .active, "registered on A only \(seed)")
        #expect(Set(ring.keys) == Set((0..<6).map(Run.instanceID) + ["ingester-2b"]), "\(seed)")
        #expect(Set(run.expectedRings[Self.distributorKey]?.instances.keys.map { $0 } ?? [])
                == ["distributor-0", "distributor-1"], "\(seed)")
        // The concurrent v2 writes tie on version; the writer name decides. v3 is a third
        // version only if its writer had received side A's v2 by then.
        #expect((run.expectedBytes?.version ?? 0) >= 2, "\(seed)")
    }

    /// A split shorter than the suspicion timeout heals without a rejoin: nobody is declared
    /// dead, and what the lost gossip did not carry, push/pull (every 30 s) does.
    @Test(arguments: seeds)
    func aShortSplitHealsThroughGossipAndPushPullAlone(seed defaultSeed: UInt64) throws {
        let seed = SimulationSeed.fromEnvironment(default: defaultSeed)
        var run = try Run(seed: seed)
        let nodes = run.nodes
        for (index, id) in nodes.enumerated() { try run.register(Run.instanceID(index), on: id) }
        #expect(run.cluster.simulator.run(until: run.cluster.now + .seconds(30), checkingEvery: .milliseconds(100)) {
            run.cluster.kvStatesAgree(nodes)
        }, "no agreement before the split \(seed)")
        let declaredBefore = run.cluster.deathDeclarations.count

        let partition = run.cluster.simulator.partition(Partition.isolating(Set(nodes.prefix(3)), from: nodes))
        for (index, id) in nodes.enumerated() { try run.heartbeat(Run.instanceID(index), on: id, state: .active) }
        try run.writeBytes("side A", on: nodes[0])
        try run.writeBytes("side B", on: nodes[5])
        try run.ring(Self.ringKey, on: nodes[1]) { desc, _ in desc.instances[Run.instanceID(4)] = nil }
        #expect(!run.cluster.kvStatesAgree(nodes), "the partition had no effect on the KV state \(seed)")
        run.cluster.simulator.run(for: .seconds(1))
        run.cluster.simulator.heal(partition)

        let healedAt = run.cluster.now
        let converged = run.cluster.simulator.run(until: healedAt + .seconds(120), checkingEvery: .milliseconds(100)) {
            run.cluster.allAliveAndAgreed(nodes) && run.cluster.kvStatesAgree(nodes)
        }
        #expect(converged, "KV state or membership still differs 120 s after the heal \(seed)")
        #expect(run.cluster.deathDeclarations.count == declaredBefore, "someone was declared dead \(seed)")
        print("KV short split \(seed): one KV state \(run.cluster.now.since(healedAt)) after the heal")
        for id in nodes {
            #expect(run.cluster.kvStore(id)?.entries[Self.ringKey]?.value as? RingDesc == run.expectedRings[Self.ringKey],
                    "\(id) \(seed)")
            #expect(run.cluster.kvStore(id)?.entries[Self.bytesKey]?.value as? SidecarBytes == run.expectedBytes, "\(id) \(seed)")
        }
        #expect(run.expectedRings[Self.ringKey]?.instances[Run.instanceID(4)]?.state == .left, "\(seed)")
    }
}

/// One scenario run: the cluster, a generator for tokens, and the oracle (every delta a
/// write produced, reduced by the merge rules).
private struct Run {
    let cluster: MembershipCluster
    let nodes: [NodeID]
    let seed: SimulationSeed
    var random: SplitMix64
    /// Per ring key: the winning entry of every instance any write touched.
    var expectedRings: [String: RingDesc] = [:]
    var expectedBytes: SidecarBytes?
    var deletedAtMillis: Int64 = 0
    var writes = 0

    static func instanceID(_ index: Int) -> String { "ingester-\(index)" }

    init(seed: SimulationSeed) throws {
        self.seed = seed
        cluster = MembershipCluster(seed: seed.value, kv: KVPartitionTests.kvConfig)
        nodes = try cluster.addNodes(6, spacing: .milliseconds(20))
        random = SplitMix64(seed: seed.value)
        #expect(cluster.runUntilConverged(nodes, within: .seconds(30)), "no membership convergence \(seed)")
    }

    private var nowMillis: Int64 { MembershipNode.wallClockMillis(cluster.now) }

    /// A CAS that must succeed; records its delta in the oracle. Returns the attempts made.
    @discardableResult
    mutating func cas(_ key: String, codecID: String, on id: NodeID,
                      update: @escaping ((any MergeableValue)?) -> (any MergeableValue)?) throws -> Int {
        guard let (outcome, attempts) = try cluster.kvCAS(on: id, key: key, codecID: codecID, update: update).map({ ($0.outcome, $0.attempts) }) else {
            Issue.record("\(id) is down or runs no store \(seed)")
            return 0
        }
        guard case .changed(let delta, _) = outcome else {
            Issue.record("CAS of \(key) on \(id) ended \(outcome) after \(attempts) attempts \(seed)")
            return attempts
        }
        writes += 1
        if let ring = delta as? RingDesc { record(ring, under: key) }
        if let bytes = delta as? SidecarBytes, expectedBytes.map({ bytes.supersedes($0) }) ?? true { expectedBytes = bytes }
        return attempts
    }

    /// The ring rule: per instance the entry with the greatest timestamp, LEFT winning a tie
    /// (dskit-kv-ring.md 5.1).
    private mutating func record(_ delta: RingDesc, under key: String) {
        var ring = expectedRings[key] ?? RingDesc()
        for (id, entry) in delta.instances {
            if let current = ring.instances[id],
               entry.timestamp < current.timestamp || (entry.timestamp == current.timestamp && entry.state != .left) {
                continue
            }
            ring.instances[id] = entry
        }
        expectedRings[key] = ring
    }

    /// A ring write made by `change` on the ring read (an empty one when absent).
    mutating func ring(_ key: String, on id: NodeID, _ change: @escaping (inout RingDesc, Int64) -> Void) throws {
        let cluster = cluster
        try cas(key, codecID: RingDescCodec.codecID, on: id) { current in
            var desc = current as? RingDesc ?? RingDesc()
            change(&desc, RingDesc.unixSeconds(millis: MembershipNode.wallClockMillis(cluster.now)))
            return desc
        }
    }

    /// dskit Lifecycler's start: register PENDING, then take 8 tokens and turn ACTIVE.
    mutating func register(_ instance: String, on id: NodeID) throws {
        let lifecycler = RingLifecycler(instanceID: instance, addr: "\(cluster.name(of: id)):9095", numTokens: 8)
        let cluster = cluster
        var random = random
        try cas(KVPartitionTests.ringKey, codecID: RingDescCodec.codecID, on: id) { current in
            lifecycler.register(current as? RingDesc, nowMillis: MembershipNode.wallClockMillis(cluster.now), using: &random)
        }
        try cas(KVPartitionTests.ringKey, codecID: RingDescCodec.codecID, on: id) { current in
            lifecycler.join(current as? RingDesc, nowMillis: MembershipNode.wallClockMillis(cluster.now), using: &random)
        }
        self.random = random
    }

    @discardableResult
    mutating func heartbeat(_ instance: String, on id: NodeID, state: InstanceState) throws -> Int {
        let lifecycler = RingLifecycler(instanceID: instance, addr: "\(cluster.name(of: id)):9095", numTokens: 8)
        let cluster = cluster
        return try cas(KVPartitionTests.ringKey, codecID: RingDescCodec.codecID, on: id) { current in
            lifecycler.heartbeat(current as? RingDesc, state: state, nowMillis: MembershipNode.wallClockMillis(cluster.now))
        }
    }

    mutating func unregister(_ instance: String, on id: NodeID) throws {
        let lifecycler = RingLifecycler(instanceID: instance, addr: "", numTokens: 8)
        try cas(KVPartitionTests.ringKey, codecID: RingDescCodec.codecID, on: id) { lifecycler.unregister($0 as? RingDesc) }
    }

    /// A sidecar-style write: the stored version + 1, by this node.
    mutating func writeBytes(_ text: String, on id: NodeID) throws {
        let writer = cluster.name(of: id)
        let cluster = cluster
        try cas(KVPartitionTests.bytesKey, codecID: SidecarBytesCodec.codecID, on: id) { current in
            SidecarBytes(bytes: Array(text.utf8), version: ((current as? SidecarBytes)?.version ?? 0) + 1, writer: writer,
                         updatedMillis: MembershipNode.wallClockMillis(cluster.now))
        }
    }

    mutating func delete(_ key: String, on id: NodeID) throws {
        #expect(try cluster.kvDelete(on: id, key: key), "nothing to delete on \(id) \(seed)")
        deletedAtMillis = nowMillis
        writes += 1
    }
}
