/// Why a TCP (or TLS) connection failed or could not be established.
public enum ConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which deadline expired.
    public enum Deadline: Sendable, Equatable {
        case connect, handshake, read, write
    }

    /// A socket call failed (ECONNREFUSED, ECONNRESET, EPIPE, ...).
    case system(SystemError)
    /// The TLS handshake or a TLS record failed; carries OpenSSL's reasons.
    case tls(TLSError)
    case timedOut(Deadline)
    /// `write` would exceed `maxPendingWriteBytes`; nothing was queued.
    case writeBufferFull(limit: Int)
    /// The connection is closed or its writing side was shut down.
    case notOpen
    /// The owning loop stopped.
    case loopStopped

    public var description: String {
        switch self {
        case .system(let error): return error.description
        case .tls(let error): return error.description
        case .timedOut(let deadline): return "\(deadline) deadline exceeded"
        case .writeBufferFull(let limit): return "write buffer limit of \(limit) bytes exceeded"
        case .notOpen: return "connection not open for writing"
        case .loopStopped: return "event loop stopped"
        }
    }
}
