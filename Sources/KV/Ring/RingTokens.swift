/// Token ownership look-ups over a ring snapshot (dskit `Ring.Get` / `findInstancesForKey`).
/// Build one per ring change and query it many times.
public struct RingTokens: Sendable {
    /// Every instance's token, sorted.
    public let tokens: [UInt32]
    /// Token → owning instance ID and zone.
    private let owners: [UInt32: (id: String, zone: String)]
    private let desc: RingDesc
    /// Number of distinct zones that own tokens.
    public let zoneCount: Int

    public init(_ desc: RingDesc) {
        self.desc = desc
        var owners: [UInt32: (id: String, zone: String)] = [:]
        var zones = Set<String>()
        for id in desc.instances.keys.sorted() {
            guard let instance = desc.instances[id] else { continue }
            if !instance.tokens.isEmpty { zones.insert(instance.zone) }
            for token in instance.tokens { owners[token] = (id, instance.zone) }
        }
        self.owners = owners
        self.tokens = owners.keys.sorted()
        self.zoneCount = zones.count
    }

    /// Index of the first token strictly greater than `key`, wrapping to 0 (dskit
    /// `searchToken`: the instance owning a key is the one whose token follows it).
    func startIndex(for key: UInt32) -> Int {
        var low = 0
        var high = tokens.count
        while low < high {
            let mid = (low + high) / 2
            if tokens[mid] > key { high = mid } else { low = mid + 1 }
        }
        return low == tokens.count ? 0 : low
    }

    /// The replica set for `key` before health filtering, in ring order: walk the tokens
    /// clockwise from the key, take distinct instances until `replicationFactor` are found;
    /// with `zoneAware`, skip instances of a zone already used (instances without a zone are
    /// never skipped). An instance in a state the operation extends on adds one to the count
    /// and does not use up its zone, so the extra replica lands in the same zone.
    public func owners(of key: UInt32, replicationFactor: Int, operation: RingOperation,
                       zoneAware: Bool) -> [InstanceDesc] {
        guard !tokens.isEmpty else { return [] }
        var wanted = replicationFactor
        let maxInstances = desc.instances.count
        let maxZones = zoneAware ? zoneCount : Int.max
        var hosts: [String] = []
        var usedZones: [String] = []
        var result: [InstanceDesc] = []
        var index = startIndex(for: key)
        var iterations = 0
        while hosts.count < min(maxInstances, wanted), usedZones.count < maxZones, iterations < tokens.count {
            iterations += 1
            let token = tokens[index]
            index = (index + 1) % tokens.count
            guard let owner = owners[token], let instance = desc.instances[owner.id] else { continue }
            if hosts.contains(owner.id) { continue }
            if zoneAware && !owner.zone.isEmpty && usedZones.contains(owner.zone) { continue }
            hosts.append(owner.id)
            if operation.shouldExtendReplicaSet(on: instance.state) {
                wanted += 1
            } else if zoneAware && !owner.zone.isEmpty {
                usedZones.append(owner.zone)
            }
            var found = instance
            if found.id.isEmpty { found.id = owner.id }
            result.append(found)
        }
        return result
    }
}

/// How Pyroscope turns a series into a ring key: 32-bit FNV-1 (Go's `fnv.New32`, not FNV-1a)
/// over the tenant ID's bytes followed by the labels' bytes (Pyroscope distributor
/// `TokenFor(tenantID, labels)`; dskit's `Ring.Get` takes the resulting uint32 as is).
public enum RingKeyHash {
    public static func tokenFor(tenantID: String, labels: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in tenantID.utf8 { hash = (hash &* 0x0100_0193) ^ UInt32(byte) }
        for byte in labels.utf8 { hash = (hash &* 0x0100_0193) ^ UInt32(byte) }
        return hash
    }
}
