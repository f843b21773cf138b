/// This node's own ring instance (ours, `-memberlistd.ring.*`, defaults in `FlagCatalog`):
/// registered, heartbeated and unregistered as dskit's Lifecycler does (dskit-kv-ring.md 5.3).
public struct RingSettings: Sendable, Equatable {
    /// The KV key holding the ring, e.g. `collectors/ring`; empty = register nothing.
    public var key: String = ""
    /// The instance ID; empty = the node name.
    public var instanceID: String = ""
    /// Tokens to own once ACTIVE (`-ingester.num-tokens`).
    public var numTokens: Int = 128
    /// How often the instance heartbeats; 0 = never (`-ingester.heartbeat-period`).
    public var heartbeatPeriod: Duration = .seconds(5)
    /// How old a heartbeat may be for an instance to count healthy (`-ring.heartbeat-timeout`).
    public var heartbeatTimeout: Duration = .seconds(60)

    public init() {}

    /// Whether the node registers an instance.
    public var isEnabled: Bool { !key.isEmpty }
}
