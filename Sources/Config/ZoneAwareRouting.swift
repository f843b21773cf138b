import Membership

/// `-memberlist.zone-aware-routing.*` (dskit-kv-ring.md §3.7): members gossip
/// and probe within their zone, bridges cross zones. The rules and the node
/// meta are Membership's `ZoneRouting`; `routing` is what the core gets.
public struct ZoneAwareRouting: Hashable, Sendable {
    public var enabled = false
    /// `instance_availability_zone`, at most `ZoneRouting.maxZoneLength` bytes; required when enabled.
    public var zone = ""
    public var role = ZoneRouting.Role.member

    public init(enabled: Bool = false, zone: String = "", role: ZoneRouting.Role = .member) {
        (self.enabled, self.zone, self.role) = (enabled, zone, role)
    }

    /// The core's routing (its meta is dskit's `[1][role][len][zone]`); nil when off.
    public var routing: ZoneRouting? { enabled ? ZoneRouting(zone: zone, role: role) : nil }
}

extension ZoneRouting.Role {
    /// The words of `-memberlist.zone-aware-routing.role`, in dskit's spelling.
    public static let names: [(name: String, role: ZoneRouting.Role)] = [("member", .member), ("bridge", .bridge)]

    public init?(name: String) {
        guard let match = Self.names.first(where: { $0.name == name }) else { return nil }
        self = match.role
    }
}
