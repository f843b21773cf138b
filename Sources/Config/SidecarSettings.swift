import Wire

/// Where the sidecar API listens (`-sidecar.listen-address`, ours; issue 10): a loopback
/// address and port, or a Unix socket, never where the gossip port is reachable.
public enum SidecarListenAddress: Hashable, Sendable, CustomStringConvertible {
    case tcp(IPAddress, port: UInt16)
    case unix(path: String)

    public static let defaultText = "127.0.0.1:7980"

    /// `host:port` with a loopback IP (`127.0.0.0/8`, `::1`, `[::1]:port`), or `unix:PATH`;
    /// empty = off (nil). The error text says what was expected.
    public static func parse(_ text: String) -> Result<SidecarListenAddress?, ConfigError> {
        func invalid(_ expected: String) -> Result<SidecarListenAddress?, ConfigError> {
            .failure(.invalidValue(flag: "sidecar.listen-address", value: text, expected: expected))
        }
        if text.isEmpty { return .success(nil) }
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard !path.isEmpty, path.utf8.count < 108 else { return invalid("unix:PATH with a path shorter than 108 bytes") }
            return .success(.unix(path: path))
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return invalid("a loopback address and port such as 127.0.0.1:7980, or unix:PATH")
        }
        var host = text[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard let ip = IPAddress(parsing: String(host)) else {
            return invalid("a loopback address and port such as 127.0.0.1:7980, or unix:PATH")
        }
        guard isLoopback(ip) else {
            return invalid("a loopback address (127.0.0.0/8 or ::1): the sidecar API has no authentication")
        }
        return .success(.tcp(ip, port: port))
    }

    /// 127.0.0.0/8, ::1, or ::ffff:127.x.y.z.
    static func isLoopback(_ ip: IPAddress) -> Bool {
        let bytes = ip.bytes
        switch bytes.count {
        case 4: return bytes[0] == 127
        case 16:
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
            return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .tcp(let ip, let port): ip.count == 16 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
