import EventLoop
import MonotonicTime

/// A memberlist stream (push/pull, reliable user message, TCP ping;
/// memberlist-wire.md §4) over one TCP connection, plain or TLS. Loop thread only.
///
/// Reading is pull-style so an incremental frame decoder can say "need more":
/// received bytes accumulate in ``readableBytes``; ``onReadable`` runs when
/// new bytes arrive or the peer finishes sending (``isReadClosed``); the
/// decoder ``consume(_:)``s what it used. Unconsumed bytes are capped by the
/// transport's inbound limit: beyond it the stream closes with
/// ``TransportError/inboundLimitExceeded(limit:)``.
///
/// Writing never blocks: what the socket cannot take is queued and flushed on
/// writability. ``finishWriting()`` sends FIN after the queue drains (what the
/// node does after its last message); ``close()`` aborts at once.
///
/// The owner must keep the stream alive while it is in use; dropping the last
/// reference closes the connection.
public final class TransportStream {
    /// The peer's address (IPv4-mapped sources reported as IPv4).
    public let remoteAddress: SocketAddress
    /// New bytes are in ``readableBytes``, or the peer finished (``isReadClosed``).
    public var onReadable: (() -> Void)?
    /// The stream ended without a local ``close()``: nil after an orderly end
    /// (both sides finished), else the reason (deadline, reset, TLS, limit).
    public var onClose: ((TransportError?) -> Void)?
    /// The peer sent FIN (or TLS close_notify): no more bytes will arrive.
    public private(set) var isReadClosed = false
    /// False once closed for any reason.
    public private(set) var isOpen = true

    private let connection: TCPConnection
    private let inbound: InboundByteQueue
    private let counters: CounterStore

    init(connection: TCPConnection, remoteAddress: SocketAddress, leftover: UnsafeRawBufferPointer,
         inboundLimit: Int, counters: CounterStore) {
        self.connection = connection
        self.remoteAddress = remoteAddress
        self.counters = counters
        inbound = InboundByteQueue(initialCapacity: min(inboundLimit, 64 * 1024), limit: inboundLimit)
        _ = inbound.append(leftover)
        connection.onRead = { [unowned self] bytes in self.received(bytes) }
        connection.onReadEOF = { [unowned self] in self.peerFinished() }
        connection.onClose = { [unowned self] error in self.ended(error.map(TransportError.connection)) }
    }

    deinit {
        connection.close()
    }

    /// The received bytes not consumed yet; valid until the next ``consume(_:)``
    /// or the next time the loop reads this connection.
    public var readableBytes: UnsafeRawBufferPointer { inbound.readable }

    /// Marks the first `count` readable bytes as used.
    public func consume(_ count: Int) { inbound.consume(count) }

    /// Bytes accepted by ``write(_:)`` that the kernel has not taken yet.
    public var pendingWriteBytes: Int { connection.pendingWriteBytes }

    /// Queues `bytes` for sending. Throws when the stream is closed or finished,
    /// its write deadline passed, or too much output is already queued.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        do {
            try connection.write(bytes)
        } catch {
            throw .connection(error)
        }
        counters.values.sentBytes += bytes.count
    }

    /// Sends FIN once queued output is flushed; the stream then closes when the
    /// peer finishes too (or at the deadline).
    public func finishWriting() { connection.shutdownWrite() }

    /// Read and write deadline for the rest of the stream (Go's `SetDeadline`,
    /// memberlist's TCPTimeout); nil clears it. Expiry closes the stream with
    /// `.connection(.timedOut(...))` via ``onClose``.
    public func setDeadline(_ deadline: MonotonicInstant?) { connection.setDeadline(deadline) }

    /// Closes at once, dropping queued output. No ``onClose`` follows.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        onReadable = nil
        onClose = nil
        connection.close()
    }

    /// The negotiated TLS version ("TLSv1.3"), nil for plain TCP.
    public var tlsProtocolVersion: String? { connection.tlsProtocolVersion }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        counters.values.receivedBytes += bytes.count
        guard inbound.append(bytes) else {
            let limit = inbound.limit
            connection.close()
            ended(.inboundLimitExceeded(limit: limit))
            return
        }
        onReadable?()
    }

    private func peerFinished() {
        isReadClosed = true
        onReadable?()
    }

    private func ended(_ error: TransportError?) {
        guard isOpen else { return }
        isOpen = false
        let onClose = self.onClose
        self.onClose = nil
        onReadable = nil
        onClose?(error)
    }
}
