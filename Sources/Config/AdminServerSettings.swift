import Wire

/// The admin HTTP listener (Pyroscope's `-server.http-listen-address` and
/// `-server.http-listen-port`) and the metric namespace (`-metrics.prefix`,
/// ours; dskit's namespace is `pyroscope`). Self-contained so it can move into
/// the `server:` block of the config catalog as a whole.
public struct AdminServerSettings: Equatable, Sendable {
    /// nil = all interfaces (Pyroscope's default "").
    public var listenAddress: IPAddress?
    /// 0 = kernel-chosen (logged in the "http listening" line).
    public var listenPort: UInt16 = 4040
    /// Every metric name starts with `<prefix>_`.
    public var metricsPrefix = "pyroscope"

    public init() {}

    static let flagDefinitions = [
        FlagDefinition("server.http-listen-address", .string, default: "",
                       "HTTP server listen address for /metrics, /ready, /memberlist and /ring (default: all)"),
        FlagDefinition("server.http-listen-port", FlagCatalog.port, default: "4040",
                       "HTTP server listen port; 0 = kernel-chosen"),
        FlagDefinition("metrics.prefix", .string, default: "pyroscope",
                       "(ours) Prefix of every metric name, dskit's namespace (pyroscope, phlare, cortex, ...)"),
    ]

    init(flags: ParsedFlags) throws(ConfigError) {
        listenAddress = try flags.ipAddress("server.http-listen-address")
        listenPort = UInt16(try flags.int("server.http-listen-port", default: 4040, min: 0, max: 65535))
        metricsPrefix = flags.string("metrics.prefix", default: "pyroscope")
        let valid = metricsPrefix.utf8.enumerated().allSatisfy { index, byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"),
                 UInt8(ascii: ":"):
                return true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return index > 0
            default:
                return false
            }
        }
        guard valid else {
            throw .invalidValue(flag: "metrics.prefix", value: metricsPrefix,
                                expected: "a Prometheus metric name prefix such as pyroscope ([a-zA-Z_:][a-zA-Z0-9_:]*, or empty)")
        }
    }
}
