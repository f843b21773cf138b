import CShims
import EventLoop
import Glibc
import MonotonicTime
import Wire

/// One accepted plain-TCP dskit connection (dskit-kv-ring.md §1), handled on
/// the bare descriptor and reused from connection to connection, so a
/// steady stream of packets allocates nothing (issue #4): the read buffer,
/// the IO handler and the deadline callback are made once per slot.
///
/// Same rules as ``DskitInboundConnection`` (its TLS counterpart): the first
/// byte decides. `01`: read to EOF (capped at marker + address +
/// `maxPacketPayloadBytes` + digest, beyond: dropped and counted), then
/// delivered with the header address as source. `02`: the descriptor becomes a
/// ``TCPConnection`` stream with the bytes after the marker. Anything else:
/// counted as unknown and closed. The deadline bounds the whole connection.
final class DskitInboundPacketSlot {
    private enum State { case idle, awaitingMarker, readingPacket }

    private unowned let loop: EventLoop
    private unowned let transport: DskitTransport
    private let frameLimit: Int
    private var queue: InboundByteQueue
    private var accepted: AcceptedDescriptor?
    private var watch: EventLoop.Watch?
    private var deadline: TimerID?
    private var state = State.idle
    private var onEvents: (IOEvents) -> Void = { _ in }
    private var onDeadline: (EventLoop) -> Void = { _ in }

    /// First read buffer size; it grows (doubling) toward `frameLimit` only for larger packets.
    static let initialBufferBytes = 16 * 1024
    /// A buffer grown beyond this by one large packet is replaced rather than kept.
    static let retainedBufferBytes = 4 * initialBufferBytes
    /// Reads per readiness event before yielding to other descriptors.
    private static let readsPerWakeup = 16

    init(loop: EventLoop, transport: DskitTransport, frameLimit: Int) {
        self.loop = loop
        self.transport = transport
        self.frameLimit = frameLimit
        queue = InboundByteQueue(initialCapacity: Self.initialBufferBytes, limit: frameLimit)
        onEvents = { [unowned self] _ in self.readAvailable() }
        onDeadline = { [unowned self] _ in
            self.deadline = nil
            self.failed()
        }
    }

    var isIdle: Bool { state == .idle }

    /// Takes ownership of `descriptor`; false (descriptor closed) when the loop refused to watch it.
    func begin(_ descriptor: AcceptedDescriptor, deadline at: MonotonicInstant) -> Bool {
        do {
            watch = try loop.watch(descriptor.fd, interest: .read, handler: onEvents)
        } catch {
            Glibc.close(descriptor.fd)
            return false
        }
        accepted = descriptor
        state = .awaitingMarker
        deadline = loop.schedule(at: at, onDeadline)
        return true
    }

    /// Closes an open connection without counting anything (transport shutdown).
    func abandon() {
        guard state != .idle else { return }
        release()
    }

    private func readAvailable() {
        for _ in 0..<Self.readsPerWakeup {
            guard state != .idle, let accepted else { return }
            let received: Int
            if let space = queue.writableTail(preferred: Self.initialBufferBytes) {
                received = cshims_recv(accepted.fd, space.baseAddress, space.count)
                if received > 0 { queue.commit(received) }
            } else {
                // Already `frameLimit` bytes: one more byte means too large, EOF means done.
                var probe: UInt8 = 0
                received = cshims_recv(accepted.fd, &probe, 1)
                if received > 0 {
                    transport.store.values.receivedBytes += received
                    transport.store.values.packetsReceivedErrors += 1
                    transport.store.values.packetsReceivedTooLarge += 1
                    release()
                    return
                }
            }
            if received == 0 {
                peerFinished()
                return
            }
            if received < 0 {
                let code = cshims_errno()
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return }
                failed()
                return
            }
            transport.store.values.receivedBytes += received
            if state == .awaitingMarker { classify() }
        }
    }

    private func classify() {
        guard let marker = queue.readable.first, let accepted else { return }
        switch DskitConnectionKind(rawValue: marker) {
        case .packet?:
            state = .readingPacket
        case .stream?:
            // The descriptor moves to a TCPConnection (which registers it anew),
            // so the slot stops watching it and no longer owns it.
            if let watch { loop.unwatch(watch) }
            watch = nil
            self.accepted = nil
            do {
                let connection = try loop.adoptConnectedTCP(accepted)
                let leftover = UnsafeRawBufferPointer(rebasing: queue.readable.dropFirst())
                transport.adoptInboundStream(connection, leftover: leftover)
            } catch {
                transport.store.values.acceptErrors += 1
            }
            guard state != .idle else { return }
            release()
        case nil:
            transport.store.values.unknownConnections += 1
            release()
        }
    }

    private func peerFinished() {
        // EOF before the first byte: dskit logs and closes.
        if state == .readingPacket { transport.deliverPacket(connectionBytes: queue.readable) }
        // Delivery may have shut the transport down, which already released this slot.
        guard state != .idle else { return }
        release()
    }

    /// A reset, read error or passed deadline: an unfinished packet is a receive error.
    private func failed() {
        guard state != .idle else { return }
        if state == .readingPacket { transport.store.values.packetsReceivedErrors += 1 }
        release()
    }

    /// Back to idle: closes the descriptor unless a stream took it, resets the buffer.
    private func release() {
        if let watch { loop.unwatch(watch) }
        watch = nil
        if let deadline { loop.cancel(deadline) }
        deadline = nil
        if let accepted { Glibc.close(accepted.fd) }  // nil once handed to a stream
        accepted = nil
        state = .idle
        resetBuffer()
        transport.releaseInboundSlot(self)
    }

    private func resetBuffer() {
        if queue.capacity > Self.retainedBufferBytes {
            queue = InboundByteQueue(initialCapacity: Self.initialBufferBytes, limit: frameLimit)
        } else {
            queue.reset()
        }
    }
}
