import Membership
import Simulation
import Testing

/// dskit's zone-aware routing (issue #8; `ZoneRouting`) on the simulator: members talk
/// only within their zone, bridges carry news across, and everyone still converges.
@Suite struct ZoneRoutingTests {
    let seed = SimulationSeed.fromEnvironment(default: 2_718)
    static let zones = ["zone-a", "zone-b", "zone-c"]

    /// Node i lives in zone i % 3; nodes 0, 1 and 2 are the bridges.
    static func zone(of id: NodeID) -> Int { id.index % zones.count }
    static func isBridge(_ id: NodeID) -> Bool { id.index < zones.count }

    @Test func membersStayInTheirZoneAndNewsReachesEveryZone() throws {
        let cluster = MembershipCluster(seed: seed.value) { id, config in
            config.zoneRouting = ZoneRouting(zone: Self.zones[Self.zone(of: id)], role: Self.isBridge(id) ? .bridge : .member)
        }
        var crossZoneMemberDatagrams = 0
        var crossZoneBridgeDatagrams = 0
        cluster.simulator.onDatagramSent = { from, to, _ in
            guard Self.zone(of: from) != Self.zone(of: to) else { return }
            if Self.isBridge(from) && Self.isBridge(to) {
                crossZoneBridgeDatagrams += 1
            } else if !Self.isBridge(from) && !Self.isBridge(to) {
                crossZoneMemberDatagrams += 1
            }
        }
        let nodes = try cluster.addNodes(18, spacing: .milliseconds(50))
        #expect(cluster.runUntilConverged(nodes, within: .seconds(60)), "no convergence \(seed)")
        // News from a member of zone b reaches the members of zones a and c.
        let origin = nodes[4]
        #expect(Self.zone(of: origin) == 1 && !Self.isBridge(origin))
        let tracker = cluster.broadcast(Array("ring changed".utf8), from: origin)
        let complete = cluster.simulator.run(until: cluster.now + .seconds(30), checkingEvery: .milliseconds(50)) {
            cluster.timeline(tracker)?.isComplete ?? false
        }
        let timeline = try #require(cluster.timeline(tracker))
        #expect(complete, "reached \(timeline.reachedCount) of 17 \(seed)")
        cluster.simulator.run(for: .seconds(30))
        #expect(crossZoneMemberDatagrams == 0, "member-to-member datagrams across zones \(seed)")
        #expect(crossZoneBridgeDatagrams > 0, "bridges never talked across zones \(seed)")
    }

    @Test func aCrashInOneZoneIsDeclaredInEveryZone() throws {
        let cluster = MembershipCluster(seed: seed.value) { id, config in
            config.zoneRouting = ZoneRouting(zone: Self.zones[Self.zone(of: id)], role: Self.isBridge(id) ? .bridge : .member)
        }
        let nodes = try cluster.addNodes(12, spacing: .milliseconds(50))
        #expect(cluster.runUntilConverged(nodes, within: .seconds(60)), "no convergence \(seed)")
        let victim = nodes[5]
        try cluster.crash(victim)
        let observers = nodes.filter { $0 != victim }
        let declared = cluster.simulator.run(until: cluster.now + .seconds(120), checkingEvery: .milliseconds(200)) {
            cluster.allSee(victim, as: [.dead, .left], from: observers)
        }
        #expect(declared, "not every zone saw the crash \(seed)")
    }

    @Test func zoneMetadataIsDskitsEncoding() throws {
        let routing = try #require(ZoneRouting(zone: "us-east-1a", role: .bridge))
        #expect(routing.encodedMeta == [1, 2, 10] + Array("us-east-1a".utf8))
        #expect(ZoneRouting(zone: "", role: .member) == nil)
        #expect(ZoneRouting(zone: String(repeating: "z", count: 17), role: .member) == nil)
    }
}
