/// Why a DNS lookup produced no answer. A name that does not exist (NXDOMAIN)
/// or has no record of the asked type is not an error: the lookup succeeds
/// with an empty list (dskit's provider semantics, dskit-kv-ring.md §4).
public struct DNSError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The resolver could not be set up (unreadable resolv.conf, c-ares init).
        case setup
        /// No server answered before c-ares' timeout (resolv.conf `options timeout:attempts:`).
        case timeout
        /// Refused, server failure, malformed answer or any other c-ares status.
        case failed
        /// The resolver was closed while the lookup was in flight.
        case cancelled
    }

    public var kind: Kind
    /// The name looked up ("" for setup errors).
    public var name: String
    /// c-ares' text for the status, or what went wrong.
    public var reason: String

    public init(_ kind: Kind, name: String, reason: String) {
        (self.kind, self.name, self.reason) = (kind, name, reason)
    }

    public var description: String {
        name.isEmpty ? "DNS: \(reason)" : "DNS lookup of \(name): \(reason)"
    }
}
