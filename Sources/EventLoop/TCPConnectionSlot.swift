import CShims
import MonotonicTime
import Glibc

/// A reusable holder for one plain-TCP connection at a time, for callers that
/// handle many short connections and must not allocate per connection (a
/// ``TCPConnection`` is an object per connection; issue #4: steady packet
/// paths allocate nothing).
///
/// The slot owns its descriptor from ``open(_:)`` (an accepted socket,
/// watched for reading) or ``connect(to:)`` (a non-blocking connect, watched
/// for writability) until ``close()`` or ``handOff()``. While open, readiness
/// goes to `onReady` and a passed ``setDeadline(_:)`` to `onDeadline`, both on
/// the loop. The caller reads into its own buffer and writes its own bytes; the
/// slot retries EINTR and reports EAGAIN as "nothing now". The loop's
/// registration handler and timer callback are made once in `init`, so
/// opening, reading, writing and closing again allocate nothing. Like a
/// ``TCPConnection``, an open slot is kept alive by the loop until closed. If
/// the loop stops while a connection is open, the slot closes it (no callback).
public final class TCPConnectionSlot {
    /// What one ``read(into:)`` found.
    public enum ReadResult: Equatable, Sendable {
        /// This many bytes (at least one) were placed at the start of the buffer.
        case bytes(Int)
        /// The peer finished sending (recv returned 0).
        case endOfStream
        /// Nothing to read now; the slot stays watched.
        case wouldBlock
    }

    /// Readiness of the open descriptor (level-triggered), on the loop.
    public var onReady: (IOEvents) -> Void = { _ in }
    /// The deadline passed; the connection is still open (close it or set another).
    public var onDeadline: () -> Void = {}

    private unowned let loop: EventLoop
    private var fd: Int32 = -1
    private var peer: SocketAddress?
    private var watch: EventLoop.Watch?
    private var deadline: TimerID?
    private var readinessHandler: (IOEvents) -> Void = { _ in }
    private var deadlineHandler: (EventLoop) -> Void = { _ in }
    private var shutdownHandler: () -> Void = {}
    /// Set while open: the loop's callbacks reach the slot unowned, so an open
    /// slot holds itself (a retain, no allocation) until ``close()``.
    private var keepAlive: TCPConnectionSlot?

    public init(loop: EventLoop) {
        self.loop = loop
        // Registration and timer exist only while open, and an open slot keeps itself alive.
        readinessHandler = { [unowned self] events in self.onReady(events) }
        deadlineHandler = { [unowned self] _ in
            self.deadline = nil
            self.onDeadline()
        }
        shutdownHandler = { [unowned self] in self.close() }
    }


    /// True from `open`/`connect` until `close`/`handOff`.
    public var isOpen: Bool { fd >= 0 }

    /// Takes ownership of an accepted socket and watches it for reading. On
    /// failure the descriptor is closed and the slot stays closed.
    public func open(_ accepted: AcceptedDescriptor) throws(SystemError) {
        close()
        fd = accepted.fd
        peer = accepted.peer
        try startWatching(.read)
    }

    /// Starts a non-blocking connect to `remote` (TCP_NODELAY) and watches for
    /// writability; on readiness ask ``connectOutcome()``. On failure nothing
    /// stays open.
    public func connect(to remote: SocketAddress) throws(SystemError) {
        close()
        fd = try SocketSupport.startConnect(to: remote)
        peer = remote
        try startWatching(.write)
    }

    /// After a readiness event following ``connect(to:)``: true once
    /// connected, false while still pending; throws the connect's failure.
    public func connectOutcome() throws(SystemError) -> Bool {
        guard fd >= 0 else { throw SystemError(syscall: "connect", errno: EBADF) }
        return try SocketSupport.connectOutcome(fd)
    }

    /// One `recv` into `buffer` (EINTR retried).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> ReadResult {
        guard fd >= 0 else { throw SystemError(syscall: "recv", errno: EBADF) }
        guard let received = try nonBlocking("recv", { cshims_recv(fd, buffer.baseAddress, buffer.count) }) else {
            return .wouldBlock
        }
        return received == 0 ? .endOfStream : .bytes(received)
    }

    /// Sends as much of `bytes` as the kernel takes now and returns how much
    /// that was (less than all: try again on the next readiness).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int {
        guard fd >= 0 else { throw SystemError(syscall: "send", errno: EBADF) }
        var written = 0
        while written < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[written...])
            guard let sent = try nonBlocking("send", { cshims_send(fd, rest.baseAddress, rest.count) }) else { break }
            written += sent
        }
        return written
    }

    /// Calls `onDeadline` at `deadline` unless cleared (nil) or closed first;
    /// replaces an earlier deadline.
    public func setDeadline(_ deadline: MonotonicInstant?) {
        if let pending = self.deadline { loop.cancel(pending) }
        self.deadline = nil
        guard let deadline, fd >= 0 else { return }
        self.deadline = loop.schedule(at: deadline, deadlineHandler)
    }

    /// Moves the open descriptor into a new ``TCPConnection`` (which owns it
    /// from now on, also when this throws) and leaves the slot closed.
    public func handOff() throws(SystemError) -> TCPConnection {
        guard fd >= 0, let peer else { throw SystemError(syscall: "recv", errno: EBADF) }
        let accepted = AcceptedDescriptor(fd: fd, peer: peer)
        fd = -1
        close()
        return try loop.adoptConnectedTCP(accepted)
    }

    /// Stops watching, cancels the deadline and closes the descriptor (if any).
    public func close() {
        if let watch { loop.unwatch(watch) }
        watch = nil
        setDeadline(nil)
        if fd >= 0 { SocketSupport.close(fd) }
        fd = -1
        peer = nil
        keepAlive = nil
    }

    private func startWatching(_ interest: IOInterest) throws(SystemError) {
        keepAlive = self
        do {
            watch = try loop.register(fd, interest: interest, handler: readinessHandler, onShutdown: shutdownHandler)
        } catch {
            close()
            throw error
        }
    }
}
