import Wire

/// One `-memberlist.join` entry: memberlist's `[name/]host[:port]` form or one
/// of dskit's DNS forms (`JoinDiscovery`; memberlist-wire.md §9,
/// dskit-kv-ring.md §4). A plain entry's port defaults to 7946, as dskit does
/// not pass its bind port to memberlist.
public struct JoinSeed: Hashable, Sendable, CustomStringConvertible {
    /// Expected node name, or "" when the entry has none (plain form only).
    public var name: String
    /// An IP literal, a host name or, for the SRV forms, the service name (without brackets).
    public var host: String
    /// nil only for the SRV forms without a port: each record's port is used.
    public var port: UInt16?
    /// The host as an address when it is an IP literal; nil = must be resolved.
    public var ip: IPAddress?
    public var discovery: JoinDiscovery

    /// memberlist's default join port.
    public static let defaultPort: UInt16 = 7946

    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        let portText = port.map { ":\($0)" } ?? ""
        return discovery.rawValue + (name.isEmpty ? "" : name + "/") + hostText + portText
    }

    public init(name: String = "", host: String, port: UInt16?, ip: IPAddress? = nil,
                discovery: JoinDiscovery = .host) {
        (self.name, self.host, self.port, self.ip, self.discovery) = (name, host, port, ip, discovery)
    }

    /// Parses an entry; the error text says what is wrong with it.
    public static func parse(_ entry: String, defaultPort: UInt16 = defaultPort) -> Result<JoinSeed, JoinSeedError> {
        guard let plus = entry.firstIndex(of: "+") else { return parsePlain(entry, defaultPort: defaultPort) }
        let prefix = String(entry[...plus])
        guard let discovery = JoinDiscovery(rawValue: prefix), discovery != .host else {
            return .failure(.unknownPrefix(prefix))
        }
        let rest = entry[entry.index(after: plus)...]
        let hostPort: (host: Substring, port: UInt16?)
        switch splitHostPort(rest) {
        case .success(let split): hostPort = split
        case .failure(.malformed(let reason)): return .failure(.malformedDiscovery(discovery, reason))
        case .failure(let error): return .failure(error)
        }
        guard !hostPort.host.isEmpty else { return .failure(.malformedDiscovery(discovery, "no name")) }
        if discovery == .addresses, hostPort.port == nil {
            return .failure(.malformedDiscovery(discovery, "the port is mandatory"))
        }
        let host = String(hostPort.host)
        return .success(JoinSeed(host: host, port: hostPort.port,
                                 ip: discovery == .addresses ? IPAddress(parsing: host) : nil, discovery: discovery))
    }

    private static func parsePlain(_ entry: String, defaultPort: UInt16) -> Result<JoinSeed, JoinSeedError> {
        var name = ""
        var rest = Substring(entry)
        if let slash = rest.firstIndex(of: "/") {
            name = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
        }
        switch splitHostPort(rest) {
        case .failure(let error): return .failure(error)
        case .success(let split):
            guard !split.host.isEmpty else { return .failure(.malformed("no host")) }
            let host = String(split.host)
            return .success(JoinSeed(name: name, host: host, port: split.port ?? defaultPort, ip: IPAddress(parsing: host)))
        }
    }

    /// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal (no port);
    /// failures are `.malformed`.
    private static func splitHostPort(_ text: Substring) -> Result<(host: Substring, port: UInt16?), JoinSeedError> {
        guard !text.isEmpty else { return .failure(.malformed("no host")) }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.malformed("missing ']'")) }
            let host = text[text.index(after: text.startIndex)..<close]
            let tail = text[text.index(after: close)...]
            guard !tail.isEmpty else { return .success((host, nil)) }
            guard tail.hasPrefix(":"), let port = UInt16(tail.dropFirst()), port > 0 else { return .failure(.malformed("bad port")) }
            return .success((host, port))
        }
        guard IPAddress(parsing: String(text)) == nil, let colon = text.lastIndex(of: ":") else { return .success((text, nil)) }
        let host = text[..<colon]
        guard !host.contains(":") else { return .failure(.malformed("IPv6 addresses with a port need brackets")) }
        guard let port = UInt16(text[text.index(after: colon)...]), port > 0 else { return .failure(.malformed("bad port")) }
        return .success((host, port))
    }
}

/// Why a join entry was refused.
public enum JoinSeedError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A `prefix+` form other than dskit's three.
    case unknownPrefix(String)
    /// A plain `[name/]host[:port]` entry that does not parse.
    case malformed(String)
    /// A `dns+`/`dnssrv+`/`dnssrvnoa+` entry that does not parse.
    case malformedDiscovery(JoinDiscovery, String)

    public var description: String {
        switch self {
        case .unknownPrefix(let prefix):
            return "\(JoinDiscovery.forms); unknown prefix \(prefix)"
        case .malformed(let reason):
            return "[name/]host[:port] (\(reason))"
        case .malformedDiscovery(let discovery, let reason):
            let form = discovery == .addresses ? "dns+host:port" : "\(discovery.rawValue)_service._proto.name[:port]"
            return "\(form) (\(reason))"
        }
    }
}
