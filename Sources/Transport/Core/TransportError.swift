import EventLoop

/// Why a transport could not start, or a stream failed (one enum for the layer).
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A bind address is not a numeric IPv4/IPv6 literal.
    case invalidBindAddress(String)
    /// `advertise_addr` is not a numeric IP literal.
    case invalidAdvertiseAddress(String)
    /// No advertise address was given and none could be derived
    /// (bound to 0.0.0.0 without a private IPv4, or to :: without IPv6).
    case noAdvertiseAddress(reason: String)
    /// The advertised `ip:port` is longer than dskit's one-byte length field allows.
    case advertiseAddressTooLong(String)
    /// A port outside 0...65535 in the configuration.
    case invalidPort(setting: String, value: Int)
    /// Binding or listening failed (address in use, permission, ...).
    case bind(address: String, SystemError)
    /// A `tls_cipher_suites` entry that is not a Go cipher suite name.
    case unknownCipherSuite(String)
    /// `tls_min_version` other than VersionTLS10|11|12|13.
    case invalidTLSMinVersion(String)
    /// Only one of `tls_cert_path` / `tls_key_path` was given.
    case incompleteTLSKeyPair
    /// Building the TLS context failed (unreadable file, key mismatch, ...).
    case tls(TLSError)
    /// Opening or using a connection failed.
    case connection(ConnectionError)
    /// The peer sent more than the stream's inbound limit without it being consumed.
    case inboundLimitExceeded(limit: Int)
    /// The transport was shut down.
    case shutDown

    public var description: String {
        switch self {
        case .invalidBindAddress(let value):
            return "bind address \"\(value)\" is not a numeric IPv4 or IPv6 address"
        case .invalidAdvertiseAddress(let value):
            return "advertise address \"\(value)\" is not a numeric IPv4 or IPv6 address"
        case .noAdvertiseAddress(let reason):
            return "no advertise address: \(reason); set advertise_addr"
        case .advertiseAddressTooLong(let value):
            return "advertised address \"\(value)\" is longer than 255 bytes"
        case .invalidPort(let setting, let value):
            return "\(setting) \(value) is outside 0...65535"
        case .bind(let address, let error):
            return "cannot listen on \(address): \(error)"
        case .unknownCipherSuite(let name):
            return "tls_cipher_suites: unknown cipher suite \"\(name)\" (expected Go names such as "
                + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, comma separated)"
        case .invalidTLSMinVersion(let value):
            return "tls_min_version: \"\(value)\" is not one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13"
        case .incompleteTLSKeyPair:
            return "tls_cert_path and tls_key_path must be set together"
        case .tls(let error):
            return error.description
        case .connection(let error):
            return error.description
        case .inboundLimitExceeded(let limit):
            return "peer sent more than \(limit) unread bytes"
        case .shutDown:
            return "transport shut down"
        }
    }
}
