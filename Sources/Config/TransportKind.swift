/// Which wire transport the node speaks (ARCHITECTURE.md, "Transports").
public enum TransportKind: String, Hashable, Sendable, CaseIterable {
    /// dskit's TCP transport, what Pyroscope runs (dskit-kv-ring.md §1). The default.
    case tcp
    /// memberlist's own UDP packets plus TCP streams on the same port
    /// (memberlist-wire.md §3-4), for plain memberlist, Serf or Consul clusters.
    case udp
}
