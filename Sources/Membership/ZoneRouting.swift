/// dskit's zone-aware routing (issue #8; dskit `kv/memberlist/node_zone_aware_routing.go`
/// and `node_meta.go`): every node carries its zone and role in its node meta, and a node
/// picks its gossip, push/pull and probe peers by them, so a member's traffic stays in its
/// zone and `bridge` nodes carry news between zones.
///
/// Selection of a remote node by the local one:
/// - local or remote zone unknown (meta absent or malformed): selected, not preferred (so a
///   node without zone metadata is never isolated);
/// - local member: selected only in its own zone;
/// - local bridge: selected in its own zone, and bridges of other zones, which are preferred:
///   a gossip round always includes one preferred peer when there is one.
///
/// Divergence, on purpose: newer grafana/memberlist exempts probes from the selection; here
/// probes (and the indirect pings that serve them) follow it as well, so that no
/// member-to-member packet crosses zones (issue #8's rule). Failure of a node in another
/// zone is then detected by that zone's members and reaches other zones through bridges.
public struct ZoneRouting: Sendable, Hashable {
    /// The node's role (dskit `NodeRole`).
    public enum Role: UInt8, Sendable, Hashable {
        case member = 1
        case bridge = 2
    }

    /// Zone names are at most 16 bytes (dskit `MaxZoneNameLength`), keeping meta compact.
    public static let maxZoneLength = 16
    /// Version byte of the meta format.
    static let metaVersion: UInt8 = 1

    public let zone: [UInt8]
    public let role: Role

    /// - Returns: nil when `zone` is empty or longer than `maxZoneLength`.
    public init?(zone: String, role: Role) {
        let bytes = Array(zone.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxZoneLength else { return nil }
        self.zone = bytes
        self.role = role
    }

    /// The node meta dskit's delegate returns: `[1][role][zone length][zone]`
    /// (dskit-kv-ring.md §3.7).
    public var encodedMeta: [UInt8] {
        [Self.metaVersion, role.rawValue, UInt8(zone.count)] + zone
    }

    /// The role a remote meta declares: member when absent or malformed (as dskit reads it).
    static func role(ofMeta meta: [UInt8]?) -> Role {
        guard let meta, meta.count >= 3, meta[0] == metaVersion else { return .member }
        return Role(rawValue: meta[1]) ?? .member
    }

    /// The zone a node's meta declares (the sidecar API's member `zone`); nil when unknown.
    public static func zone(ofMeta meta: [UInt8]?) -> String? {
        guard let meta, let range = zoneRange(ofMeta: meta) else { return nil }
        return String(decoding: meta[range], as: UTF8.self)
    }

    /// The zone bytes a remote meta declares, as a range of `meta`; nil when unknown.
    static func zoneRange(ofMeta meta: [UInt8]) -> Range<Int>? {
        guard meta.count >= 3, meta[0] == metaVersion else { return nil }
        let length = Int(meta[2])
        guard length > 0, meta.count >= 3 + length else { return nil }
        return 3..<(3 + length)
    }

    /// Whether the local node may pick the remote node whose meta is `remoteMeta`, and
    /// whether it is a preferred pick. Compares bytes in place (no allocation).
    func select(remoteMeta: [UInt8]?) -> (selected: Bool, preferred: Bool) {
        guard let meta = remoteMeta, let range = Self.zoneRange(ofMeta: meta) else { return (true, false) }
        let sameZone = meta[range].elementsEqual(zone)
        switch role {
        case .member:
            return (sameZone, false)
        case .bridge:
            if sameZone { return (true, false) }
            let remoteIsBridge = Self.role(ofMeta: meta) == .bridge
            return (remoteIsBridge, remoteIsBridge)
        }
    }
}
