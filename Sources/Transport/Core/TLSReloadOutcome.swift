import EventLoop

/// What a TLS certificate, key and CA reload did (issue 14): new handshakes use the
/// files from now on, or a file was refused (``TLSError/file`` names it) and the
/// previous ones stay in use.
public enum TLSReloadOutcome: Sendable, Equatable {
    case reloaded
    case refused(TLSError)
}
