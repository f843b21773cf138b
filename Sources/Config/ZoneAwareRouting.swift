import Membership

/// `-memberlist.zone-aware-routing.*` (dskit-kv-ring.md §3.7): members gossip
/// and probe within their zone, bridges cross zones. When enabled the node
/// advertises `ZoneMeta` as its meta; the routing itself is the core's.
public struct ZoneAwareRouting: Hashable, Sendable {
    public var enabled = false
    /// `instance_availability_zone`, at most 16 bytes; required when enabled.
    public var zone = ""
    public var role = ZoneRole.member

    public init(enabled: Bool = false, zone: String = "", role: ZoneRole = .member) {
        self.enabled = enabled
        self.zone = zone
        self.role = role
    }

    /// The node meta to advertise: dskit's encoding when enabled, else none.
    public var nodeMeta: [UInt8]? { enabled ? ZoneMeta(role: role, zone: zone).encoded : nil }
}
