import Benchmark
import BenchmarkSupport
import KV

// ns/op and malloc counts of dskit's KV store (dskit-kv-ring.md 3.4, 5.1): a ring update
// as it arrives in a gossiped user message, merged into a stored ring of 100 instances with
// 128 tokens each (an ingester ring of that size is about 60 KB of protobuf). The update is
// one instance's heartbeat: the delta dskit gossips every heartbeat period per instance.

let ringKey = "collectors/ring"
let instanceCount = 100
let tokensPerInstance = 128
/// Unix seconds of the stored ring's heartbeats; each update writes a later one.
let baseTimestamp: Int64 = 1_767_225_600

/// A 100-instance ring with distinct tokens (a fixed LCG, so every run builds the same ring).
func storedRing() -> RingDesc {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var ring = RingDesc()
    for index in 0..<instanceCount {
        var tokens: [UInt32] = []
        for _ in 0..<tokensPerInstance {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            tokens.append(UInt32(truncatingIfNeeded: state >> 32))
        }
        let id = "ingester-\(index)"
        ring.instances[id] = InstanceDesc(addr: "10.0.\(index / 250).\(index % 250):9095", timestamp: baseTimestamp,
                                          state: .active, tokens: tokens.sorted(), zone: "zone-\(index % 3)",
                                          registeredTimestamp: baseTimestamp - 3_600, id: id)
    }
    return ring
}

/// A store holding `storedRing()` under `ringKey`, tombstones kept (`left-ingesters-timeout` 0).
func makeStore(_ ring: RingDesc) -> KVStore {
    var store = KVStore(config: KVStoreConfig(leftIngestersTimeoutMillis: 0))
    let seed = KeyValuePair(key: ringKey, value: RingDescCodec().encodeRing(ring), codec: RingDescCodec.codecID).encoded()
    _ = store.receive(message: seed[...], nowMillis: baseTimestamp * 1000)
    store.queues.gossip.removeAll()
    return store
}

/// One instance's heartbeat at `timestamp`, as the user message that gossips it.
func heartbeatMessage(_ ring: RingDesc, instance: String, timestamp: Int64) -> [UInt8] {
    var entry = ring.instances[instance] ?? InstanceDesc()
    entry.timestamp = timestamp
    let delta = RingDesc(instances: [instance: entry])
    return KeyValuePair(key: ringKey, value: RingDescCodec().encodeRing(delta), codec: RingDescCodec.codecID).encoded()
}

let benchmarks: @Sendable () -> Void = {
    let ring = storedRing()

    // A new heartbeat each run: decode the pair, snappy, protobuf; merge; bump the version;
    // encode the delta and queue it for gossip (replacing the previous one for that instance).
    var changing = makeStore(ring)
    var timestamp = baseTimestamp
    var message: [UInt8] = []
    Benchmark("Ring update merged: 1 instance's heartbeat into 100 instances × 128 tokens (KVStore.receive)",
              configuration: singleOperation) { benchmark in
        measureOnce(benchmark, prepare: {
            timestamp += 1
            message = heartbeatMessage(ring, instance: "ingester-42", timestamp: timestamp)
        }) {
            blackHole(changing.receive(message: message[...], nowMillis: timestamp * 1000))
        }
    }

    // The same heartbeat again, as most gossip copies arrive: decoded and merged, no change.
    var unchanged = makeStore(ring)
    let duplicate = heartbeatMessage(ring, instance: "ingester-42", timestamp: baseTimestamp + 1)
    _ = unchanged.receive(message: duplicate[...], nowMillis: (baseTimestamp + 1) * 1000)
    Benchmark("Ring update already known: the same heartbeat again (KVStore.receive, unchanged)",
              configuration: thousandOperations) { benchmark in
        measure(benchmark) {
            blackHole(unchanged.receive(message: duplicate[...], nowMillis: (baseTimestamp + 1) * 1000))
        }
    }

    // The CRDT merge alone on decoded values: what the codec costs is the difference.
    var local = ring
    var incoming = RingDesc(instances: ["ingester-42": ring.instances["ingester-42"] ?? InstanceDesc()])
    Benchmark("RingDesc.merge alone: 1 newer instance into 100 instances × 128 tokens", configuration: singleOperation) { benchmark in
        measureOnce(benchmark, prepare: {
            incoming.instances["ingester-42"]?.timestamp += 1
        }) {
            blackHole(local.merge(incoming, localCAS: false, nowMillis: 0))
        }
    }
}
