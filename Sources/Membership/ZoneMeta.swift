/// A node's role under dskit's zone-aware routing (dskit-kv-ring.md §3.7).
public enum ZoneRole: UInt8, Hashable, Sendable, CaseIterable {
    /// Gossips and probes within its own zone.
    case member = 1
    /// Also links its zone to the other zones.
    case bridge = 2

    /// The word of `-memberlist.zone-aware-routing.role`.
    public var name: String {
        switch self {
        case .member: return "member"
        case .bridge: return "bridge"
        }
    }

    public init?(name: String) {
        guard let role = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = role
    }
}

/// dskit's node meta when zone-aware routing is on (dskit-kv-ring.md §3.7):
/// `[1 version][role 1=member 2=bridge][zone length ≤ 16][zone]`; meta that is
/// empty or malformed reads as a member without a zone.
public struct ZoneMeta: Hashable, Sendable {
    public var role: ZoneRole
    /// At most `maxZoneLength` bytes.
    public var zone: String

    public static let version: UInt8 = 1
    public static let maxZoneLength = 16

    public init(role: ZoneRole, zone: String) {
        self.role = role
        self.zone = zone
    }

    /// The meta bytes; the zone is cut to `maxZoneLength` bytes (config refuses longer ones).
    public var encoded: [UInt8] {
        let zoneBytes = Array(zone.utf8.prefix(Self.maxZoneLength))
        return [Self.version, role.rawValue, UInt8(zoneBytes.count)] + zoneBytes
    }

    /// Reads meta as dskit does: anything malformed is a member with no zone.
    public init(decoding meta: [UInt8]?) {
        self.init(role: .member, zone: "")
        guard let meta, meta.count >= 3, meta[0] == Self.version, let role = ZoneRole(rawValue: meta[1]) else { return }
        let length = Int(meta[2])
        guard length <= Self.maxZoneLength, meta.count == 3 + length else { return }
        self.role = role
        zone = String(decoding: meta[3...], as: UTF8.self)
    }
}
