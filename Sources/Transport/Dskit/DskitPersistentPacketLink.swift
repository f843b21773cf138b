import EventLoop
import MonotonicTime
import Wire

/// Client side of one persistent packet connection to another memberlistd node
/// (``DskitPacketStreamFrame``, issue 14): later packets to the same destination
/// are written on it as length-prefixed frames instead of dialling and
/// handshaking again.
///
/// Ending it: after `idleTimeout` without a packet, on the server's close_notify
/// or EOF, or on any write refusal, the link stops taking packets (the pool
/// falls back to a connection per packet), half-closes so the server reads
/// every frame already sent, and lingers until the server closes or
/// `lingerTimeout` passes. A packet is counted sent once the connection took
/// it; one lost in a reset later is not seen, as with a packet connection
/// whose peer dies after the write.
///
/// The connection's callbacks hold the link strongly; the connection drops
/// them when it ends, so the link lives exactly as long as its connection.
final class DskitPersistentPacketLink {
    let destination: SocketAddress
    private let connection: TCPConnection
    private unowned let loop: EventLoop
    private let store: CounterStore
    private let idleTimeout: Duration
    private let lingerTimeout: Duration
    private let ended: (DskitPersistentPacketLink) -> Void
    private var lastUsed: MonotonicInstant
    private var idleTimer: TimerID?
    private var onIdleTimer: (EventLoop) -> Void = { _ in }
    /// True until the link retires; only then does it take packets.
    private(set) var isUsable = true
    /// Unsent bytes beyond which the link refuses packets (the peer is not reading).
    static let maxPendingBytes = 1 << 20

    /// Adopts an established connection whose first frame was already written.
    /// `ended` runs once, when the link stops taking packets.
    init(connection: TCPConnection, destination: SocketAddress, loop: EventLoop, store: CounterStore,
         idleTimeout: Duration, lingerTimeout: Duration, ended: @escaping (DskitPersistentPacketLink) -> Void) {
        self.connection = connection
        self.destination = destination
        self.loop = loop
        self.store = store
        self.idleTimeout = idleTimeout
        self.lingerTimeout = lingerTimeout
        self.ended = ended
        lastUsed = loop.now
        onIdleTimer = { [weak self] _ in self?.idleCheck() }
        connection.keepTLSBuffers()
        connection.setDeadline(nil)
        connection.onWritable = nil
        // The server sends nothing but its close_notify.
        connection.onRead = { [store] bytes in store.values.receivedBytes += bytes.count }
        connection.onReadEOF = { self.retire() }
        connection.onClose = { _ in self.connectionEnded() }
        store.values.persistentConnectionsOutbound += 1
        armIdleTimer(at: lastUsed + idleTimeout)
    }

    /// Writes one length-prefixed frame; false (nothing sent, the link retired
    /// if it failed) when the caller must send the packet another way.
    func send(_ frame: WireBuffer) -> Bool {
        guard isUsable, connection.isOpen,
              connection.pendingWriteBytes + frame.count <= Self.maxPendingBytes else { return false }
        do {
            try frame.withUnsafeBytes { (bytes) throws(ConnectionError) in try connection.write(bytes) }
        } catch {
            retire()
            return false
        }
        lastUsed = loop.now
        return true
    }

    /// Stops taking packets and half-closes; the connection ends when the server closes.
    func retire() {
        guard stopUsing() else { return }
        connection.shutdownWrite()
        connection.setReadDeadline(loop.now + lingerTimeout)
    }

    /// Closes at once (transport shutdown); no callback.
    func close() {
        _ = stopUsing()
        connection.close()
    }

    private func connectionEnded() {
        _ = stopUsing()
    }

    /// True the first time: the link leaves the pool and the gauge.
    private func stopUsing() -> Bool {
        guard isUsable else { return false }
        isUsable = false
        if let idleTimer { loop.cancel(idleTimer) }
        idleTimer = nil
        store.values.persistentConnectionsOutbound -= 1
        ended(self)
        return true
    }

    /// One timer per idle period, not per packet: it re-arms for what remains
    /// since the last packet, so sending never touches the timer heap.
    private func idleCheck() {
        idleTimer = nil
        guard isUsable else { return }
        let expiry = lastUsed + idleTimeout
        if loop.now >= expiry {
            retire()
        } else {
            armIdleTimer(at: expiry)
        }
    }

    private func armIdleTimer(at instant: MonotonicInstant) {
        idleTimer = loop.schedule(at: instant, onIdleTimer)
    }
}
