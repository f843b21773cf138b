import EventLoop
import MonotonicTime
import Wire

/// One accepted plain-TCP dskit connection (dskit-kv-ring.md §1), read through
/// a ``TCPConnectionSlot`` and reused from connection to connection, so a
/// steady stream of packets allocates nothing (issue #4): the read buffer and
/// the connection slot (with its callbacks) are made once per slot.
///
/// Same rules as ``DskitInboundConnection`` (its TLS counterpart): the first
/// byte decides. `01`: read to EOF (capped at marker + address +
/// `maxPacketPayloadBytes` + digest, beyond: dropped and counted), then
/// delivered with the header address as source. `02`: the descriptor becomes a
/// ``TCPConnection`` stream with the bytes after the marker. Anything else:
/// counted as unknown and closed. The deadline bounds the whole connection.
final class DskitInboundPacketSlot {
    private enum State { case idle, awaitingMarker, readingPacket }

    private unowned let transport: DskitTransport
    private let frameLimit: Int
    private let connection: TCPConnectionSlot
    private var queue: InboundByteQueue
    /// One byte read past a full queue tells "too large" from "done".
    private let probe = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
    private var state = State.idle
    /// The IP of the connection being read, for the transport's per-source count.
    private(set) var source: IPAddress?

    /// First read buffer size; it grows (doubling) toward `frameLimit` only for larger packets.
    static let initialBufferBytes = 16 * 1024
    /// A buffer grown beyond this by one large packet is replaced rather than kept.
    static let retainedBufferBytes = 4 * initialBufferBytes
    /// Reads per readiness event before yielding to other descriptors.
    private static let readsPerWakeup = 16

    init(loop: EventLoop, transport: DskitTransport, frameLimit: Int) {
        self.transport = transport
        self.frameLimit = frameLimit
        queue = InboundByteQueue(initialCapacity: Self.initialBufferBytes, limit: frameLimit)
        connection = TCPConnectionSlot(loop: loop)
        connection.onReady = { [unowned self] _ in self.readAvailable() }
        connection.onDeadline = { [unowned self] in self.failed() }
    }

    deinit { probe.deallocate() }

    var isIdle: Bool { state == .idle }

    /// Takes ownership of `descriptor`; false (descriptor closed) when the loop refused to watch it.
    func begin(_ descriptor: AcceptedDescriptor, deadline at: MonotonicInstant) -> Bool {
        do { try connection.open(descriptor) } catch { return false }
        state = .awaitingMarker
        source = descriptor.peer.ip
        connection.setDeadline(at)
        return true
    }

    /// Closes an open connection without counting anything (transport shutdown).
    func abandon() {
        guard state != .idle else { return }
        release()
    }

    private func readAvailable() {
        for _ in 0..<Self.readsPerWakeup {
            guard state != .idle else { return }
            let result: TCPConnectionSlot.ReadResult
            do {
                if let space = queue.writableTail(preferred: Self.initialBufferBytes) {
                    result = try connection.read(into: space)
                    if case .bytes(let count) = result { queue.commit(count) }
                } else {
                    // Already `frameLimit` bytes: one more byte means too large, EOF means done.
                    result = try connection.read(into: probe)
                    if case .bytes(let count) = result {
                        transport.store.values.receivedBytes += count
                        transport.store.values.packetsReceivedErrors += 1
                        transport.store.values.packetsReceivedTooLarge += 1
                        release()
                        return
                    }
                }
            } catch {
                failed()
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .endOfStream:
                peerFinished()
                return
            case .bytes(let count):
                transport.store.values.receivedBytes += count
                if state == .awaitingMarker { classify() }
            }
        }
    }

    private func classify() {
        guard let marker = queue.readable.first else { return }
        switch DskitConnectionKind(rawValue: marker) {
        case .packet?:
            state = .readingPacket
        case .stream?:
            // The descriptor moves to a TCPConnection (which registers it anew),
            // so the slot no longer watches or owns it.
            do {
                let stream = try connection.handOff()
                let leftover = UnsafeRawBufferPointer(rebasing: queue.readable.dropFirst())
                transport.adoptInboundStream(stream, leftover: leftover)
            } catch {
                transport.store.values.acceptErrors += 1
            }
            guard state != .idle else { return }
            release()
        case nil, .packetStream?:
            // 0x03 needs a TLS handshake that negotiated it; plain TCP never does.
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

    /// Back to idle: closes the connection unless a stream took it, resets the buffer.
    private func release() {
        connection.close()
        state = .idle
        resetBuffer()
        transport.releaseInboundSlot(self)
        source = nil
    }

    private func resetBuffer() {
        if queue.capacity > Self.retainedBufferBytes {
            queue = InboundByteQueue(initialCapacity: Self.initialBufferBytes, limit: frameLimit)
        } else {
            queue.reset()
        }
    }
}
