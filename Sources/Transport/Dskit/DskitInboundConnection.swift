import EventLoop
import MonotonicTime
import Wire

/// One accepted dskit-transport TLS connection until its first byte says what
/// it is (dskit-kv-ring.md §1): `01` a packet read to EOF and delivered with the
/// header address as source, `02` a stream handed to the node, `03` (ours, only
/// when the handshake negotiated ``DskitPacketStreamFrame/applicationProtocol``)
/// length-prefixed packet frames until the client closes, anything else counted
/// as unknown and closed.
///
/// A packet stream stays open without a deadline while frames arrive; after
/// twice the client's idle timeout without one, or at once when
/// `maxPersistentInbound` are already open, the server half-closes (the client
/// stops using it and closes) and keeps reading what the client had already
/// sent, for at most `inboundPacketTimeout`.
final class DskitInboundConnection {
    private enum State { case awaitingMarker, readingPacket, readingFrames, finished }

    let connection: TCPConnection
    private unowned let transport: DskitTransport
    private unowned let loop: EventLoop
    private var queue: InboundByteQueue?
    private var state = State.awaitingMarker
    /// Counted in `persistentConnectionsInbound` (admitted under the bound).
    private var isAdmittedPersistent = false
    private var isClosingFrames = false
    private var lastFrameAt: MonotonicInstant
    private var idleTimer: TimerID?

    init(connection: TCPConnection, transport: DskitTransport, loop: EventLoop, queue: InboundByteQueue,
         deadline: MonotonicInstant) {
        self.connection = connection
        self.transport = transport
        self.loop = loop
        self.queue = queue
        lastFrameAt = loop.now
        connection.setReadDeadline(deadline)
        connection.onRead = { [unowned self] bytes in self.received(bytes) }
        connection.onReadEOF = { [unowned self] in self.peerFinished() }
        connection.onClose = { [unowned self] error in self.ended(error) }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        guard state != .finished, let queue else { return }
        transport.store.values.receivedBytes += bytes.count
        if state == .readingFrames {
            receivedFrames(bytes, into: queue)
            return
        }
        guard queue.append(bytes) else {
            // Bigger than marker + address + maxPacketPayloadBytes + digest.
            transport.store.values.packetsReceivedErrors += 1
            transport.store.values.packetsReceivedTooLarge += 1
            finish()
            return
        }
        guard state == .awaitingMarker, let marker = queue.readable.first else { return }
        switch DskitConnectionKind(rawValue: marker) {
        case .packet?:
            state = .readingPacket
        case .stream?:
            state = .finished
            let leftover = UnsafeRawBufferPointer(rebasing: queue.readable.dropFirst())
            connection.setReadDeadline(nil)
            transport.adoptInboundStream(connection, leftover: leftover)
            release()
        case .packetStream? where connection.negotiatedApplicationProtocol(is: DskitPacketStreamFrame.applicationProtocol):
            beginFrames(queue)
        case nil, .packetStream?:
            transport.store.values.unknownConnections += 1
            finish()
        }
    }

    // MARK: packet stream

    private func beginFrames(_ queue: InboundByteQueue) {
        state = .readingFrames
        queue.consume(1)
        connection.keepTLSBuffers()
        if transport.admitPersistentInbound() {
            isAdmittedPersistent = true
            connection.setReadDeadline(nil)
            armIdleTimer(at: loop.now + transport.persistentInboundIdleTimeout)
        } else {
            askClientToClose()
        }
        deliverFrames(queue)
    }

    /// Appends what fits, delivers the frames completed, and again, so a frame
    /// up to the queue's limit always fits whatever the read sizes.
    private func receivedFrames(_ bytes: UnsafeRawBufferPointer, into queue: InboundByteQueue) {
        var rest = bytes
        while !rest.isEmpty, state == .readingFrames {
            let taken = min(rest.count, queue.limit - queue.count)
            guard taken > 0 else {
                tooLargeFrame()
                return
            }
            _ = queue.append(UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            deliverFrames(queue)
        }
    }

    private func deliverFrames(_ queue: InboundByteQueue) {
        let limit = queue.limit - DskitPacketStreamFrame.lengthPrefixBytes
        while state == .readingFrames {
            let next: (frame: UnsafeRawBufferPointer, consumed: Int)?
            do {
                next = try DskitPacketStreamFrame.next(in: queue.readable, limit: limit)
            } catch {
                tooLargeFrame()
                return
            }
            guard let next else { return }
            lastFrameAt = loop.now
            transport.deliverPacket(connectionBytes: next.frame)
            // Delivery may have shut the transport down, which closed this connection.
            guard state == .readingFrames else { return }
            queue.consume(next.consumed)
        }
    }

    private func tooLargeFrame() {
        transport.store.values.packetsReceivedErrors += 1
        transport.store.values.packetsReceivedTooLarge += 1
        finish()
    }

    /// After a TLS reload: a packet stream asks its client to close (and to handshake
    /// again with the new files for its next packet); other connections are unaffected.
    func retirePacketStream() {
        guard state == .readingFrames else { return }
        askClientToClose()
    }

    /// Half-closes: the client sees close_notify, stops sending and closes; what
    /// it already sent is still read and delivered.
    private func askClientToClose() {
        guard !isClosingFrames else { return }
        isClosingFrames = true
        if let idleTimer { loop.cancel(idleTimer) }
        idleTimer = nil
        connection.shutdownWrite()
        connection.setReadDeadline(loop.now + transport.inboundPacketTimeout)
    }

    /// One timer per idle period, re-armed from the last frame (never per frame).
    private func armIdleTimer(at instant: MonotonicInstant) {
        idleTimer = loop.schedule(at: instant) { [weak self] _ in
            guard let self else { return }
            self.idleTimer = nil
            guard self.state == .readingFrames, !self.isClosingFrames else { return }
            let expiry = self.lastFrameAt + self.transport.persistentInboundIdleTimeout
            if self.loop.now >= expiry { self.askClientToClose() } else { self.armIdleTimer(at: expiry) }
        }
    }

    // MARK: end

    private func peerFinished() {
        switch state {
        case .readingPacket:
            if let queue { transport.deliverPacket(connectionBytes: queue.readable) }
        case .readingFrames:
            // A partial frame at EOF: the client ended mid-write.
            if let queue, queue.count > 0 { transport.store.values.packetsReceivedErrors += 1 }
        case .awaitingMarker, .finished:
            break  // EOF before the first byte: dskit logs and closes
        }
        finish()
    }

    private func ended(_ error: ConnectionError?) {
        guard state != .finished else { return }
        // Reset or deadline before EOF: the packet (or a partial frame) is incomplete.
        if state == .readingPacket || (state == .readingFrames && (queue?.count ?? 0) > 0) {
            transport.store.values.packetsReceivedErrors += 1
        }
        state = .finished
        release()
    }

    private func finish() {
        state = .finished
        connection.close()
        release()
    }

    private func release() {
        if let idleTimer { loop.cancel(idleTimer) }
        idleTimer = nil
        if isAdmittedPersistent {
            isAdmittedPersistent = false
            transport.persistentInboundEnded()
        }
        if let queue { transport.recycle(queue) }
        queue = nil
        transport.forget(self)
    }
}
