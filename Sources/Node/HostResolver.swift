import Glibc
import Wire

/// Why a hostname did not resolve.
public struct HostResolutionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var reason: String
    public var description: String { "cannot resolve \(host): \(reason)" }
}

/// Resolves hostnames with getaddrinfo on a short-lived background thread,
/// never on the loop (ARCHITECTURE.md: no blocking DNS on the loop). The dns+/dnssrv+
/// discovery forms are refused when the join list is parsed (`JoinSeed`).
enum HostResolver {
    /// Looks up `host` and calls `done` on the resolver thread with every
    /// distinct IPv4/IPv6 address, in resolver order.
    static func resolve(_ host: String, _ done: @escaping @Sendable (Result<[IPAddress], HostResolutionError>) -> Void) {
        let job = ResolveJob(host: host, done: done)
        let context = Unmanaged.passRetained(job).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let job = Unmanaged<ResolveJob>.fromOpaque(raw).takeRetainedValue()
            job.done(HostResolver.lookup(job.host))
            return nil
        }, context)
        if started == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<ResolveJob>.fromOpaque(context).release()
            done(.failure(HostResolutionError(host: host, reason: "cannot start resolver thread (\(started))")))
        }
    }

    /// Blocking getaddrinfo; only call off the loop.
    static func lookup(_ host: String) -> Result<[IPAddress], HostResolutionError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            let reason = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            return .failure(HostResolutionError(host: host, reason: reason))
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            var found: IPAddress?
            if entry.pointee.ai_family == AF_INET {
                socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var address = v4.pointee.sin_addr
                    found = withUnsafeBytes(of: &address) { IPAddress(bytes: $0) }
                }
            } else if entry.pointee.ai_family == AF_INET6 {
                socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var address = v6.pointee.sin6_addr
                    found = withUnsafeBytes(of: &address) { IPAddress(bytes: $0) }
                }
            }
            if let found, !addresses.contains(found) { addresses.append(found) }
        }
        guard !addresses.isEmpty else { return .failure(HostResolutionError(host: host, reason: "no addresses")) }
        return .success(addresses)
    }
}

/// What the resolver thread needs; only Sendable values.
private final class ResolveJob: Sendable {
    let host: String
    let done: @Sendable (Result<[IPAddress], HostResolutionError>) -> Void

    init(host: String, done: @escaping @Sendable (Result<[IPAddress], HostResolutionError>) -> Void) {
        self.host = host
        self.done = done
    }
}
