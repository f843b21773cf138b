import Config
import EventLoop
import Membership
import Transport
import Wire

/// Why a node could not start or an operation failed. Each case carries the lower
/// layer's typed error, so callers can tell causes apart without parsing text.
public enum NodeError: Error, Sendable, CustomStringConvertible {
    /// The keyring file could not be read or parsed (`-memberlist.encryption-key-file`).
    case keyringFile(ConfigError)
    /// The keyring's keys were refused (none, or a length other than 16, 24 or 32 bytes).
    case keyring(KeyringError)
    /// The transport could not bind, or its TLS settings are invalid.
    case transport(TransportError)
    /// The membership core refused the settings (empty name, oversized meta).
    case membership(MembershipError)
    /// The event loop refused a descriptor or could not create one (mailbox, watch).
    case loop(SystemError)
    /// A stream operation failed (dial, write, deadline, bad reply).
    case stream(ExchangeFailure)
    /// The event loop is gone.
    case shutDown

    public var description: String {
        switch self {
        case .keyringFile(let error): return "encryption keyring: \(error)"
        case .keyring(let error): return "encryption keyring: \(error)"
        case .transport(let error): return "transport: \(error)"
        case .membership(let error): return "membership: \(error)"
        case .loop(let error): return "event loop: \(error)"
        case .stream(let failure): return "stream: \(failure)"
        case .shutDown: return "node shut down"
        }
    }
}
