import Wire

/// One `-memberlist.join` entry in memberlist's `[name/]host[:port]` form
/// (memberlist-wire.md §9, dskit-kv-ring.md §4). The port defaults to 7946,
/// as dskit does not pass its bind port to memberlist.
public struct JoinSeed: Hashable, Sendable, CustomStringConvertible {
    /// Expected node name, or "" when the entry has none.
    public var name: String
    /// An IP literal or a hostname (without brackets).
    public var host: String
    public var port: UInt16
    /// The host as an address when it is an IP literal; nil = must be resolved.
    public var ip: IPAddress?

    /// memberlist's default join port.
    public static let defaultPort: UInt16 = 7946

    /// The DNS discovery forms of dskit, not supported yet (a later DNS issue).
    public static let dnsPrefixes = ["dns+", "dnssrv+", "dnssrvnoa+"]

    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return (name.isEmpty ? "" : name + "/") + "\(hostText):\(port)"
    }

    public init(name: String = "", host: String, port: UInt16, ip: IPAddress? = nil) {
        self.name = name
        self.host = host
        self.port = port
        self.ip = ip
    }

    /// Parses an entry; the error text says what is wrong with it.
    public static func parse(_ entry: String, defaultPort: UInt16 = defaultPort) -> Result<JoinSeed, JoinSeedError> {
        if let plus = entry.firstIndex(of: "+") {
            return .failure(.dnsDiscoveryUnsupported(prefix: String(entry[...plus])))
        }
        var name = ""
        var rest = Substring(entry)
        if let slash = rest.firstIndex(of: "/") {
            name = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
        }
        guard !rest.isEmpty else { return .failure(.malformed("no host")) }
        var host = rest
        var port = defaultPort
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(.malformed("missing ']'")) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let tail = rest[rest.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":"), let value = UInt16(tail.dropFirst()), value > 0 else {
                    return .failure(.malformed("bad port"))
                }
                port = value
            }
        } else if IPAddress(parsing: String(rest)) == nil, let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard !host.contains(":") else { return .failure(.malformed("IPv6 addresses with a port need brackets")) }
            guard let value = UInt16(rest[rest.index(after: colon)...]), value > 0 else {
                return .failure(.malformed("bad port"))
            }
            port = value
        }
        guard !host.isEmpty else { return .failure(.malformed("no host")) }
        let hostString = String(host)
        return .success(JoinSeed(name: name, host: hostString, port: port, ip: IPAddress(parsing: hostString)))
    }
}

/// Why a join entry was refused.
public enum JoinSeedError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `dns+`, `dnssrv+`, `dnssrvnoa+` or another `prefix+` form.
    case dnsDiscoveryUnsupported(prefix: String)
    case malformed(String)

    public var description: String {
        switch self {
        case .dnsDiscoveryUnsupported(let prefix):
            return "DNS service discovery (\(prefix)) is not supported yet; use [name/]host[:port]"
        case .malformed(let reason):
            return "[name/]host[:port] (\(reason))"
        }
    }
}
