import EventLoop
import MonotonicTime
import Wire

/// One accepted dskit-transport connection until its first byte says what it
/// is (dskit-kv-ring.md §1): `01` a packet read to EOF and delivered with the
/// header address as source, `02` a stream handed to the node, anything else
/// counted as unknown and closed.
final class DskitInboundConnection {
    private enum State { case awaitingMarker, readingPacket, finished }

    let connection: TCPConnection
    private unowned let transport: DskitTransport
    private var queue: InboundByteQueue?
    private var state = State.awaitingMarker

    init(connection: TCPConnection, transport: DskitTransport, queue: InboundByteQueue, deadline: MonotonicInstant) {
        self.connection = connection
        self.transport = transport
        self.queue = queue
        connection.setReadDeadline(deadline)
        connection.onRead = { [unowned self] bytes in self.received(bytes) }
        connection.onReadEOF = { [unowned self] in self.peerFinished() }
        connection.onClose = { [unowned self] error in self.ended(error) }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        guard state != .finished, let queue else { return }
        transport.store.values.receivedBytes += bytes.count
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
        case nil:
            transport.store.values.unknownConnections += 1
            finish()
        }
    }

    private func peerFinished() {
        guard state == .readingPacket, let queue else {
            finish()  // EOF before the first byte: dskit logs and closes
            return
        }
        transport.deliverPacket(connectionBytes: queue.readable)
        finish()
    }

    private func ended(_ error: ConnectionError?) {
        guard state != .finished else { return }
        // Reset or deadline before EOF: the packet is incomplete.
        if state == .readingPacket { transport.store.values.packetsReceivedErrors += 1 }
        state = .finished
        release()
    }

    private func finish() {
        state = .finished
        connection.close()
        release()
    }

    private func release() {
        if let queue { transport.recycle(queue) }
        queue = nil
        transport.forget(self)
    }
}
