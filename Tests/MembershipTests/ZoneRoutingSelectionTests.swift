import Testing
@testable import Membership

/// dskit's selection rules (`selectNode` in kv/memberlist/node_zone_aware_routing.go).
@Suite struct ZoneRoutingSelectionTests {
    static func meta(_ zone: String, _ role: ZoneRouting.Role) -> [UInt8] { [1, role.rawValue, UInt8(zone.utf8.count)] + Array(zone.utf8) }

    @Test func memberSelectsOnlyItsZone() throws {
        let local = try #require(ZoneRouting(zone: "a", role: .member))
        #expect(local.select(remoteMeta: Self.meta("a", .member)) == (true, false))
        #expect(local.select(remoteMeta: Self.meta("a", .bridge)) == (true, false))
        #expect(local.select(remoteMeta: Self.meta("b", .member)) == (false, false))
        #expect(local.select(remoteMeta: Self.meta("b", .bridge)) == (false, false))
    }

    @Test func bridgeSelectsItsZoneAndPrefersOtherBridges() throws {
        let local = try #require(ZoneRouting(zone: "a", role: .bridge))
        #expect(local.select(remoteMeta: Self.meta("a", .member)) == (true, false))
        #expect(local.select(remoteMeta: Self.meta("b", .member)) == (false, false))
        #expect(local.select(remoteMeta: Self.meta("b", .bridge)) == (true, true))
    }

    @Test func unknownZonesAreSelectedNotPreferred() throws {
        let local = try #require(ZoneRouting(zone: "a", role: .member))
        #expect(local.select(remoteMeta: nil) == (true, false))
        #expect(local.select(remoteMeta: []) == (true, false))
        #expect(local.select(remoteMeta: [1, 1, 0]) == (true, false))         // empty zone
        #expect(local.select(remoteMeta: [2, 1, 1, 0x62]) == (true, false))   // unknown version
        #expect(local.select(remoteMeta: [1, 1, 5, 0x62]) == (true, false))   // truncated zone
        // A malformed role reads as member.
        let bridge = try #require(ZoneRouting(zone: "a", role: .bridge))
        #expect(bridge.select(remoteMeta: [1, 9, 1, 0x62]) == (false, false))
    }
}
