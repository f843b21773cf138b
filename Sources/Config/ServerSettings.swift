import Wire

/// The `server:` keys of Pyroscope's config that memberlistd serves (its admin HTTP
/// listener: `-server.http-listen-address`, `-server.http-listen-port`) and the metric
/// namespace (`-metrics.prefix`, ours; dskit's is `pyroscope`). Defaults in
/// `FlagCatalog`, filled in by `NodeConfig(settings:)`.
public struct ServerSettings: Hashable, Sendable {
    /// nil = every address (Pyroscope's default "").
    public var httpListenAddress: IPAddress?
    /// 0 = kernel-chosen (logged in the "http listening" line).
    public var httpListenPort: UInt16 = 4040
    /// Every metric name starts with `<prefix>_`.
    public var metricsPrefix = "pyroscope"

    public init() {}
}
