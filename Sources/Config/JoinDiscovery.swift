/// How a `-memberlist.join` entry becomes addresses: dskit's DNS provider
/// forms (dskit-kv-ring.md §4), selected by the prefix before the first `+`.
public enum JoinDiscovery: String, Hashable, Sendable, CaseIterable {
    /// `[name/]host[:port]`: an IP literal, or a host name whose A/AAAA
    /// addresses are all joined (memberlist resolves it; default port 7946).
    case host = ""
    /// `dns+host:port`: every A and AAAA address of `host`; the port is mandatory.
    case addresses = "dns+"
    /// `dnssrv+name[:port]`: the SRV records of `name`, then every A/AAAA
    /// address of each target; the port is the given one, else the SRV port.
    case service = "dnssrv+"
    /// `dnssrvnoa+name[:port]`: the SRV targets as `target:port` seeds,
    /// resolved as host names afterwards; same port rule.
    case serviceTargets = "dnssrvnoa+"

    /// The accepted forms, for error messages.
    public static let forms = "[name/]host[:port], dns+host:port, dnssrv+_service._proto.name[:port] or "
        + "dnssrvnoa+_service._proto.name[:port] (IPv6 literals in brackets)"
}
