/// dskit's ring client gauges (dskit-kv-ring.md 6): `ring_members{name,state}`
/// and `ring_oldest_member_timestamp{name,state}` for ACTIVE, LEAVING,
/// PENDING, JOINING and Unhealthy (all emitted, 0 when empty; stale
/// heartbeats count as Unhealthy), and `ring_tokens_total{name}`.
enum RingMetrics {
    static let states = ["ACTIVE", "LEAVING", "PENDING", "JOINING", "Unhealthy"]

    static func write(_ rings: [RingView], nowMillis: Int64, into writer: inout PrometheusTextWriter) {
        writer.family("ring_members", .gauge, help: "Number of members in the ring")
        var buckets: [[(count: Int64, oldest: Int64)]] = []
        for ring in rings {
            var bucket = Array(repeating: (count: Int64(0), oldest: Int64(0)), count: states.count)
            for instance in ring.desc.instances.values where instance.state != .left {
                let state = ring.metricState(of: instance, nowMillis: nowMillis)
                guard let index = states.firstIndex(of: state) else { continue }
                bucket[index].count += 1
                if bucket[index].oldest == 0 || instance.timestamp < bucket[index].oldest {
                    bucket[index].oldest = instance.timestamp
                }
            }
            buckets.append(bucket)
            for (index, state) in states.enumerated() {
                writer.sample("ring_members", "name", ring.name, "state", state, bucket[index].count)
            }
        }
        writer.family("ring_oldest_member_timestamp", .gauge,
                      help: "Timestamp of the oldest member in the ring.")
        for (ring, bucket) in zip(rings, buckets) {
            for (index, state) in states.enumerated() {
                writer.sample("ring_oldest_member_timestamp", "name", ring.name, "state", state, bucket[index].oldest)
            }
        }
        writer.family("ring_tokens_total", .gauge, help: "Number of tokens in the ring")
        for ring in rings {
            var tokens = 0
            for instance in ring.desc.instances.values where instance.state != .left { tokens += instance.tokens.count }
            writer.sample("ring_tokens_total", "name", ring.name, Int64(tokens))
        }
    }
}
