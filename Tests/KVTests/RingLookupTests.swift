import Testing
import KV

/// Health (dskit-kv-ring.md 5.2) and token ownership look-ups (dskit `Ring.Get`).
@Suite struct RingLookupTests {
    private let now: Int64 = 1_000_000_000

    @Test func healthNeedsStateInTheOperationAndAFreshHeartbeat() {
        let fresh = InstanceDesc(timestamp: now / 1000 - 60, state: .active)
        let stale = InstanceDesc(timestamp: now / 1000 - 61, state: .active)
        #expect(fresh.isHealthy(for: .write, heartbeatTimeoutMillis: 60_000, nowMillis: now))
        #expect(!stale.isHealthy(for: .write, heartbeatTimeoutMillis: 60_000, nowMillis: now))
        let leaving = InstanceDesc(timestamp: now / 1000, state: .leaving)
        #expect(!leaving.isHealthy(for: .write, heartbeatTimeoutMillis: 60_000, nowMillis: now))
        #expect(leaving.isHealthy(for: .read, heartbeatTimeoutMillis: 60_000, nowMillis: now))
        let joining = InstanceDesc(timestamp: now / 1000, state: .joining)
        #expect(!joining.isHealthy(for: .read, heartbeatTimeoutMillis: 60_000, nowMillis: now))
        #expect(joining.isHealthy(for: .reporting, heartbeatTimeoutMillis: 60_000, nowMillis: now))
    }

    @Test func ownerIsTheInstanceOfTheFirstTokenAboveTheKey() {
        let ring = RingDesc(instances: [
            "a": InstanceDesc(state: .active, tokens: [100, 300]),
            "b": InstanceDesc(state: .active, tokens: [200]),
        ])
        let tokens = RingTokens(ring)
        func owner(_ key: UInt32) -> String? {
            tokens.owners(of: key, replicationFactor: 1, operation: .write, zoneAware: false).first?.id
        }
        #expect(owner(50) == "a")
        #expect(owner(100) == "b") // strictly greater
        #expect(owner(250) == "a")
        #expect(owner(300) == "a") // wraps to the first token
        #expect(owner(UInt32.max) == "a")
        let three = tokens.owners(of: 150, replicationFactor: 3, operation: .write, zoneAware: false).map(\.id)
        #expect(three == ["b", "a"]) // only two instances exist
    }

    @Test func replicaSetExtendsPastNonActiveInstancesForWrites() {
        let ring = RingDesc(instances: [
            "a": InstanceDesc(state: .leaving, tokens: [10]),
            "b": InstanceDesc(state: .active, tokens: [20]),
            "c": InstanceDesc(state: .active, tokens: [30]),
        ])
        let tokens = RingTokens(ring)
        #expect(tokens.owners(of: 5, replicationFactor: 2, operation: .write, zoneAware: false).map(\.id) == ["a", "b", "c"])
        #expect(tokens.owners(of: 5, replicationFactor: 2, operation: .read, zoneAware: false).map(\.id) == ["a", "b"])
        #expect(tokens.owners(of: 5, replicationFactor: 2, operation: .writeNoExtend, zoneAware: false).map(\.id) == ["a", "b"])
    }

    @Test func zoneAwareLookupTakesOneReplicaPerZoneFirst() {
        let ring = RingDesc(instances: [
            "a1": InstanceDesc(state: .active, tokens: [10], zone: "a"),
            "a2": InstanceDesc(state: .active, tokens: [20], zone: "a"),
            "b1": InstanceDesc(state: .active, tokens: [30], zone: "b"),
            "a3": InstanceDesc(state: .active, tokens: [40], zone: "a"),
            "c1": InstanceDesc(state: .active, tokens: [50], zone: "c"),
        ])
        let tokens = RingTokens(ring)
        #expect(tokens.owners(of: 5, replicationFactor: 3, operation: .write, zoneAware: true).map(\.id) == ["a1", "b1", "c1"])
        #expect(tokens.owners(of: 5, replicationFactor: 3, operation: .write, zoneAware: false).map(\.id) == ["a1", "a2", "b1"])
        // Fewer zones than the replication factor: one per zone, no more.
        #expect(tokens.owners(of: 45, replicationFactor: 5, operation: .write, zoneAware: true).map(\.id) == ["c1", "a1", "b1"])
    }

    @Test func zoneAwareExtensionStaysInTheSameZone() {
        let ring = RingDesc(instances: [
            "a1": InstanceDesc(state: .joining, tokens: [10], zone: "a"),
            "b1": InstanceDesc(state: .active, tokens: [20], zone: "b"),
            "a2": InstanceDesc(state: .active, tokens: [30], zone: "a"),
        ])
        let owners = RingTokens(ring).owners(of: 5, replicationFactor: 2, operation: .write, zoneAware: true)
        #expect(owners.map(\.id) == ["a1", "b1", "a2"])
    }

    @Test func emptyRingHasNoOwners() {
        #expect(RingTokens(RingDesc()).owners(of: 1, replicationFactor: 3, operation: .write, zoneAware: false).isEmpty)
    }

    /// FNV-1 32-bit reference values: the empty input is the offset basis; "a" is
    /// 0x050C5D7E (FNV-1, not FNV-1a's 0xE40C292C).
    @Test func keyHashIsFNV1OverTenantThenLabels() {
        #expect(RingKeyHash.tokenFor(tenantID: "", labels: "") == 0x811C_9DC5)
        #expect(RingKeyHash.tokenFor(tenantID: "a", labels: "") == 0x050C_5D7E)
        #expect(RingKeyHash.tokenFor(tenantID: "ten", labels: "ant") == RingKeyHash.tokenFor(tenantID: "", labels: "tenant"))
    }
}
