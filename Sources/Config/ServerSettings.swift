/// The `server:` keys of Pyroscope's config that memberlistd keeps for its
/// HTTP endpoints (`-server.http-listen-address`, `-server.http-listen-port`;
/// defaults in `FlagCatalog`, filled in by `NodeConfig(settings:)`).
public struct ServerSettings: Hashable, Sendable {
    /// "" = every address.
    public var httpListenAddress = ""
    public var httpListenPort = 0

    public init() {}
}
