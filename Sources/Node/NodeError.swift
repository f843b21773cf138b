import Config
import Transport

/// Why a node could not start or an operation failed.
public enum NodeError: Error, Sendable, CustomStringConvertible {
    /// The keyring file could not be read or holds bad keys.
    case keyring(String)
    /// The transport could not bind, or its TLS settings are invalid.
    case transport(TransportError)
    /// The membership core refused the settings (empty name, oversized meta).
    case membership(String)
    /// A join entry could not be used (DNS discovery form, bad syntax, no address).
    case join(String)
    /// A stream operation failed (dial, write, deadline).
    case stream(String)
    /// The event loop is gone.
    case shutDown

    public var description: String {
        switch self {
        case .keyring(let reason): return "encryption keyring: \(reason)"
        case .transport(let error): return "transport: \(error)"
        case .membership(let reason): return "membership: \(reason)"
        case .join(let reason): return "join: \(reason)"
        case .stream(let reason): return "stream: \(reason)"
        case .shutDown: return "node shut down"
        }
    }
}
