/// Failures of the loop itself (as opposed to a socket or TLS operation).
public enum EventLoopError: Error, Sendable, Equatable {
    /// The loop has stopped; work handed to it after that never runs.
    case shutDown
    /// A system call needed to set the loop up failed.
    case system(SystemError)
}
