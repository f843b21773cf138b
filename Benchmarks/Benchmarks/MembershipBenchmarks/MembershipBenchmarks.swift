import Benchmark
import BenchmarkSupport
import Membership
import Wire

// ns/op and malloc counts of the membership core (ARCHITECTURE.md, "Benchmarks"): the
// ping → ack path that runs for every probe a peer sends us, a gossip round, a push/pull
// merge and broadcast selection from a long queue. The core is driven directly with a
// reused effects buffer, as the event loop drives it.

/// 1,000 distinct keys for user broadcasts, made once so that refilling allocates no key.
let broadcastKeys = (0..<1_000).map { "b\($0)" }
/// A 40-byte user broadcast payload (dskit's KV updates travel as user broadcasts).
let broadcastPayload = [UInt8](repeating: 0x5A, count: 40)

/// Queues (or, with the same keys, replaces) 1,000 fresh user broadcasts.
func refillBroadcasts(_ core: MembershipCore) {
    for key in broadcastKeys { core.queueUserBroadcast(broadcastPayload, key: key) }
}

func makeCluster(_ members: Int) -> ClusterFixture {
    do { return try ClusterFixture(members: members) } catch { fatalError("cluster fixture: \(error)") }
}

let benchmarks: @Sendable () -> Void = {
    // MARK: Steady state: an inbound ping answered with an ack.

    Benchmark("Ping → ack effect, 100 members, empty broadcast queue", configuration: thousandOperations) { benchmark throws in
        var cluster = makeCluster(100)
        guard cluster.answerPing() else { throw MembershipError.notStarted }
        measure(benchmark) {
            blackHole(cluster.answerPing())
        }
    }

    // MARK: Gossip (§7.2).

    Benchmark("Gossip tick, 100 members, empty broadcast queue", configuration: thousandOperations) { benchmark in
        var cluster = makeCluster(100)
        cluster.gossipTick()
        measure(benchmark) {
            cluster.gossipTick()
        }
        blackHole(cluster.effects.count)
    }

    // One cluster per benchmark, made at registration and kept across samples, so that the
    // core's scratch arrays reach their steady capacity during the warm-up samples.
    var gossipCluster = makeCluster(100)
    Benchmark("Gossip tick, 100 members, selection from 1,000 queued broadcasts", configuration: singleOperation) { benchmark in
        measureOnce(benchmark, prepare: { refillBroadcasts(gossipCluster.core) }) {
            gossipCluster.gossipTick()
        }
        blackHole(gossipCluster.sentPackets)
    }

    var piggybackCluster = makeCluster(100)
    Benchmark("Ping → ack + piggyback selection from 1,000 queued broadcasts", configuration: singleOperation) { benchmark in
        measureOnce(benchmark, prepare: { refillBroadcasts(piggybackCluster.core) }) {
            blackHole(piggybackCluster.answerPing())
        }
    }

    // MARK: Push/pull merge (§4.2, §7.4).

    Benchmark("Push/pull answer + merge, 100 nodes, nothing new", configuration: thousandOperations) { benchmark in
        var cluster = makeCluster(100)
        let remote = cluster.remoteState(incarnation: 1)
        let peer = ClusterFixture.address(1)
        measure(benchmark) {
            cluster.effects.removeAll(keepingCapacity: true)
            blackHole(cluster.core.answerPushPull(remote, from: peer, at: cluster.now, into: &cluster.effects))
        }
    }

    Benchmark("Push/pull answer + merge, 100 nodes, 99 newer incarnations", configuration: thousandOperations) { benchmark in
        var cluster = makeCluster(100)
        let peer = ClusterFixture.address(1)
        // The incarnation must rise on every merge; keep one state and bump it in place (no allocation).
        var remote = cluster.remoteState(incarnation: 1)
        measure(benchmark) {
            for index in 1..<remote.nodes.count { remote.nodes[index].incarnation &+= 1 }
            cluster.effects.removeAll(keepingCapacity: true)
            blackHole(cluster.core.answerPushPull(remote, from: peer, at: cluster.now, into: &cluster.effects))
        }
    }
}
