import KV

/// One ring as the admin pages and ring metrics see it: dskit's ring name
/// (the `name` label), the KV key it lives under, its `Desc`, and the ring
/// client's heartbeat timeout that decides health (dskit-kv-ring.md 5.2).
public struct RingView: Sendable {
    public var name: String
    public var key: String
    public var desc: RingDesc
    public var heartbeatTimeout: Duration

    public init(name: String, key: String, desc: RingDesc, heartbeatTimeout: Duration = .seconds(60)) {
        self.name = name
        self.key = key
        self.desc = desc
        self.heartbeatTimeout = heartbeatTimeout
    }

    /// The ring name dskit's ring client reports (the `name` label) for a Pyroscope KV key
    /// (dskit-kv-ring.md 5.5): `collectors/ring` is the ingester ring, `...-ring` keys drop
    /// the suffix, others are named by their last path component.
    public static func ringName(forKey key: String) -> String {
        let last = key.split(separator: "/").last.map(String.init) ?? key
        switch last {
        case "ring": return "ingester"
        case "segment-writer-ring": return "segment-writer"
        default: return last
        }
    }

    var heartbeatTimeoutMillis: Int64 {
        let (seconds, attos) = heartbeatTimeout.components
        return seconds * 1000 + attos / 1_000_000_000_000_000
    }

    /// Instances clients see (LEFT is a gossip-internal tombstone), sorted by ID.
    public var visibleInstances: [InstanceDesc] {
        desc.instances.compactMap { id, instance -> InstanceDesc? in
            guard instance.state != .left else { return nil }
            var copy = instance
            if copy.id.isEmpty { copy.id = id }
            return copy
        }.sorted { $0.id < $1.id }
    }

    /// The state label an instance counts under in `ring_members`: its state,
    /// or `Unhealthy` when its heartbeat is older than the timeout.
    public func metricState(of instance: InstanceDesc, nowMillis: Int64) -> String {
        instance.isHealthy(for: .reporting, heartbeatTimeoutMillis: heartbeatTimeoutMillis, nowMillis: nowMillis)
            ? instance.state.description : "Unhealthy"
    }

    /// Each instance's share of the token space, in percent (the `/ring` page's
    /// "tokens owned"): a token owns the range from the previous token (exclusive) up to it.
    public func ownership() -> [String: Double] {
        var owners: [(token: UInt32, id: String)] = []
        for (id, instance) in desc.instances where instance.state != .left {
            for token in instance.tokens { owners.append((token, instance.id.isEmpty ? id : instance.id)) }
        }
        owners.sort { $0.token < $1.token }
        guard let last = owners.last else { return [:] }
        var share: [String: Double] = [:]
        var previous = last.token
        for owner in owners {
            let range = owner.token &- previous
            share[owner.id, default: 0] += Double(range == 0 && owners.count == 1 ? UInt32.max : range)
            previous = owner.token
        }
        let total = Double(UInt32.max) + 1
        return share.mapValues { $0 / total * 100 }
    }
}
