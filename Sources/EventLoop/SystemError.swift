import CShims

/// A failed system call: which call, the errno it left and strerror_r's text.
///
/// Every syscall wrapper in this module retries `EINTR` itself, so callers never see it.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The C function that failed, e.g. `"connect"`.
    public let syscall: String
    /// The errno value it reported.
    public let errno: Int32

    public init(syscall: String, errno: Int32) { (self.syscall, self.errno) = (syscall, errno) }

    /// strerror_r's message for `errno`.
    public var message: String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            guard let base = buffer.baseAddress else { return "errno \(errno)" }
            cshims_strerror(errno, base, buffer.count)
            return String(cString: base)
        }
    }

    /// True for EAGAIN/EWOULDBLOCK: the non-blocking call had nothing to do.
    public var isWouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }

    public var description: String { "\(syscall): \(message) (errno \(errno))" }
}

/// Runs `body` until it returns something other than -1/EINTR; -1 becomes a `SystemError`.
@inline(__always)
func retryingInterrupts<Result: BinaryInteger>(
    _ syscall: String, _ body: () -> Result
) throws(SystemError) -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = cshims_errno()
        if code == EINTR { continue }
        throw SystemError(syscall: syscall, errno: code)
    }
}

/// Like `retryingInterrupts`, but maps EAGAIN/EWOULDBLOCK to nil for non-blocking IO.
@inline(__always)
func nonBlocking<Result: BinaryInteger>(
    _ syscall: String, _ body: () -> Result
) throws(SystemError) -> Result? {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = cshims_errno()
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return nil }
        throw SystemError(syscall: syscall, errno: code)
    }
}
