import Config
import EventLoop
import KV
import Membership
import NetworkTestSupport
import Testing
@testable import Node

/// Three `GossipNode`s on `InMemoryNetwork` running dskit's KV store as memberlist's
/// delegate (dskit-kv-ring.md 3, 5.3): each registers its own ring instance, KV updates
/// reach watchers on every node, and a departing node's instance turns LEAVING then
/// disappears on the others.
@Suite(.serialized) struct KVRingClusterTests {
    static let ringKey = "collectors/ring"
    static let names = ["a", "b", "c"]

    /// UDP-transport nodes with fast gossip, each registering an instance under `ringKey`.
    static func makeCluster(network: InMemoryNetwork, script: LoopScript, extra: [String] = []) throws -> [GossipNodeClusterTests.Peer] {
        try names.enumerated().map { index, name in
            try GossipNodeClusterTests.makePeer(name, index + 1, network: network, script: script, extra: [
                "-memberlistd.ring.key=\(ringKey)", "-memberlistd.ring.num-tokens=16",
                "-memberlistd.ring.heartbeat-period=1s", "-memberlist.pullpush-interval=500ms",
            ] + extra)
        }
    }

    static func startAndJoin(_ peers: [GossipNodeClusterTests.Peer], script: LoopScript) {
        let schedule = JoinSchedule(maxAttempts: 5, minBackoff: .milliseconds(20), maxBackoff: .milliseconds(40))
        for peer in peers { GossipNodeClusterTests.start(peer) }
        for peer in peers.dropFirst() {
            peer.node.joinCluster([JoinSeed(host: "10.0.0.1", port: 7946)], schedule: schedule) { [weak script] _ in
                script?.poke()
            }
        }
    }

    /// The ring as `node` sees it (tombstones stripped).
    static func ring(_ node: GossipNode) -> RingDesc? {
        node.kvGet(ringKey)?.value as? RingDesc
    }

    static func activeInstances(_ node: GossipNode) -> Set<String> {
        Set(ring(node)?.instances.filter { $0.value.state == .active }.map(\.key) ?? [])
    }

    @Test func everyNodeRegistersAndAllSeeThreeActiveInstances() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let peers = try Self.makeCluster(network: network, script: script)
        script.step("every node sees a, b, c ACTIVE", until: {
            peers.allSatisfy { Self.activeInstances($0.node) == Set(Self.names) }
        }) {
            for peer in peers { peer.node.shutdown() }
        }
        let finished = try script.run(within: .seconds(20)) { Self.startAndJoin(peers, script: script) }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        for peer in peers {
            let instances = Self.ring(peer.node)?.instances ?? [:]
            for name in Self.names {
                #expect(instances[name]?.tokens.count == 16, "\(peer.node.name) sees \(name) with 16 tokens")
                #expect(instances[name]?.addr.isEmpty == false)
            }
            let status = peer.node.status()
            #expect(status.rings[Self.ringKey]?.map(\.id) == Self.names)
            #expect(status.rings[Self.ringKey]?.allSatisfy { $0.state == .active && $0.heartbeatHealthy } == true)
            #expect(status.keys.map(\.key) == [Self.ringKey])
            #expect(status.keys.first?.codec == RingDescCodec.codecID)
            #expect(status.kvMetrics.casSuccessTotal >= 2, "register and join are CAS writes")
        }
        // All tokens are distinct across the three instances (each took tokens not taken).
        let all = Self.ring(peers[0].node)?.instances.values.flatMap(\.tokens) ?? []
        #expect(Set(all).count == 48)
    }

    @Test func aKVUpdateOnOneNodeReachesAWatcherOnEveryOther() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let peers = try Self.makeCluster(network: network, script: script)
        let key = "collectors/distributor"
        var notified: [String: [String]] = [:]
        var casResult: GossipNode.KVCASResult?
        for peer in peers.dropFirst() {
            peer.node.kvWatchPrefix("collectors/dist") { [weak script] keys in
                notified[peer.node.name, default: []] += keys
                script?.poke()
            }
        }
        script.step("a, b, c alive", until: { peers.allSatisfy { $0.sees(alive: Set(Self.names)) } }) {
            peers[0].node.kvCAS(key: key, codecID: RingDescCodec.codecID, update: { _ in
                RingDesc(instances: ["distributor-1": InstanceDesc(addr: "10.1.1.1:9095", timestamp: 1_700_000_000,
                                                                   state: .active, tokens: [7], id: "distributor-1")])
            }, completion: { casResult = $0; script.poke() })
        }
        script.step("b and c were notified of the key and hold distributor-1", until: {
            peers.dropFirst().allSatisfy { peer in
                notified[peer.node.name]?.contains(key) == true
                    && (peer.node.kvGet(key)?.value as? RingDesc)?.instances["distributor-1"]?.tokens == [7]
            }
        }) {
            for peer in peers { peer.node.shutdown() }
        }
        let finished = try script.run(within: .seconds(20)) { Self.startAndJoin(peers, script: script) }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        if case .done(let attempts)? = casResult { #expect(attempts == 1) } else { Issue.record("CAS: \(String(describing: casResult))") }
        #expect(notified["a"] == nil, "a does not watch")
        for peer in peers.dropFirst() {
            #expect(peer.node.status().kvMetrics.receivedBroadcastsTotal > 0)
        }
    }

    @Test func aLeavingNodesInstanceTurnsLeavingThenGoneOnTheOthers() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let peers = try Self.makeCluster(network: network, script: script)
        // Every state of c's instance that a and b observe, in order, without repeats.
        var seen: [String: [String]] = [:]
        for peer in peers.prefix(2) {
            peer.node.kvWatchKey(Self.ringKey) { [weak script] _ in
                let state = Self.ring(peer.node)?.instances["c"].map { "\($0.state)" } ?? "gone"
                if seen[peer.node.name]?.last != state { seen[peer.node.name, default: []].append(state) }
                script?.poke()
            }
        }
        var stopped = false
        script.step("every node sees a, b, c ACTIVE", until: {
            peers.allSatisfy { Self.activeInstances($0.node) == Set(Self.names) }
        }) {
            peers[2].node.leaveAndShutdown(timeout: .seconds(5), left: { _ in script.poke() },
                                           stopped: { stopped = true; script.poke() })
        }
        script.step("c stopped and a, b no longer see its instance", until: {
            stopped && peers.prefix(2).allSatisfy { Self.ring($0.node)?.instances["c"] == nil }
        }) {
            for peer in peers { peer.node.shutdown() }
        }
        let finished = try script.run(within: .seconds(30)) { Self.startAndJoin(peers, script: script) }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        for name in ["a", "b"] {
            let states = seen[name] ?? []
            #expect(states.suffix(2) == ["LEAVING", "gone"], "\(name) saw c as \(states)")
            // The LEFT tombstone is kept internally (left-ingesters-timeout) but never shown.
            #expect(peers[name == "a" ? 0 : 1].node.kv.entries[Self.ringKey].flatMap { ($0.value as? RingDesc)?.instances["c"]?.state } == .left)
        }
    }

    /// dskit's propagation delay tracker on every node (dskit-kv-ring.md 8): a node publishes
    /// a beacon when its tick finds none younger than the interval, so with equal intervals
    /// the node whose tick comes first after a beacon ages out keeps publishing and the
    /// others measure its beacons; beacons past their lifetime become tombstones that gossip
    /// like any KV update.
    @Test func propagationTrackerMeasuresTheOthersBeaconsAndExpiresOldOnes() throws {
        let script = try LoopScript()
        let network = InMemoryNetwork(loop: script.loop)
        let peers = try Self.makeCluster(network: network, script: script, extra: [
            "-memberlist.propagation-delay-tracker.enabled=true",
            "-memberlist.propagation-delay-tracker.beacon-interval=200ms",
            "-memberlist.propagation-delay-tracker.beacon-lifetime=1s",
        ])
        func tracker(_ peer: GossipNodeClusterTests.Peer) -> PropagationDelayTracker.Metrics? {
            peer.node.kvClientMetrics().propagationTracker
        }
        func stored(_ peer: GossipNodeClusterTests.Peer) -> PropagationTrackerDesc? {
            peer.node.kv.entries[PropagationTrackerDesc.key]?.value as? PropagationTrackerDesc
        }
        script.step("3 beacons published, each node measured or published 3, all hold an expired one", until: {
            peers.reduce(0) { $0 + (tracker($1)?.beaconsPublished ?? 0) } >= 3
                && peers.allSatisfy { peer in
                    guard let metrics = tracker(peer), let desc = stored(peer) else { return false }
                    return metrics.beaconsPublished + metrics.beaconsReceived >= 3 && desc.beacons.values.contains { $0.isDeleted }
                }
        }) {
            for peer in peers { peer.node.shutdown() }
        }
        let finished = try script.run(within: .seconds(20)) { Self.startAndJoin(peers, script: script) }
        #expect(finished, "timed out waiting for: \(script.timedOutWaitingFor ?? "-")")
        let publishers = Set(peers.compactMap(stored).flatMap { $0.beacons.values.map(\.publishedBy) })
        #expect(!publishers.isEmpty && publishers.isSubset(of: Set(Self.names)), "beacons name their publisher: \(publishers)")
        #expect(peers.filter { (tracker($0)?.beaconsReceived ?? 0) >= 3 }.count >= 2, "the others measured its beacons")
        for peer in peers {
            guard let metrics = tracker(peer) else {
                Issue.record("\(peer.node.name): no tracker")
                continue
            }
            // Every beacon measured has one observation; on one in-memory network each takes
            // well under the 5 s bucket.
            #expect(metrics.delays.count == metrics.beaconsReceived, "\(peer.node.name)")
            #expect(metrics.delays.cumulativeCounts[9] == metrics.delays.count, "\(peer.node.name): \(metrics.delays)")
            // Clients never see the tombstones.
            let visible = peer.node.kvGet(PropagationTrackerDesc.key)?.value as? PropagationTrackerDesc
            #expect(visible?.beacons.values.allSatisfy { !$0.isDeleted } == true)
        }
    }
}
