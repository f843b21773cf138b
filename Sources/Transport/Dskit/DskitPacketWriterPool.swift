import EventLoop
import MonotonicTime
import Wire

/// dskit's packet sending (dskit-kv-ring.md §1 "Sending / timeouts / failures"),
/// on the loop instead of goroutines:
/// - a packet is framed at once (`01 N addr payload md5`) into a recycled buffer;
/// - `max_concurrent_writes` writers; a packet that finds none free waits in a
///   FIFO until one frees, at most `acquire_writer_timeout`, then is dropped
///   and counted (`packets_dropped`);
/// - a writer dials with `packet_dial_timeout` (TLS handshake included), sets
///   one deadline now + `packet_write_timeout` (zero = none) for the whole
///   frame, half-closes and is free again once the kernel took the frame;
/// - failures only count `packets_sent_errors`: no retry, no report.
///
/// Plain TCP uses `writerCount` reusable ``DskitPacketWriterSlot``s made at
/// start, so a steady packet rate allocates nothing (issue #4): the frame is
/// encoded into a recycled buffer that is swapped with the slot's own.
///
/// With TLS each packet gets a ``TCPConnection``; a finished one lingers
/// (reading and discarding, e.g. TLS session tickets) until the peer closes or
/// the deadline passes, so closing it never resets a frame the peer has not
/// read yet.
///
/// With TLS between memberlistd nodes (issue 14): a connection whose handshake
/// negotiated ``DskitPacketStreamFrame/applicationProtocol`` becomes a
/// ``DskitPersistentPacketLink`` (at most `maxPersistentOutbound`, one per
/// destination) and later packets to that destination are written on it at once,
/// without a writer; when the link refuses, the packet takes the path above.
final class DskitPacketWriterPool {
    private struct QueuedPacket {
        var frame: WireBuffer
        var payloadLength: Int
        var destination: SocketAddress
        var expiresAt: MonotonicInstant
    }

    private unowned let loop: EventLoop
    private let store: CounterStore
    private let tls: TLSContext?
    private let advertised: String
    private let writerCount: Int
    private let dialTimeout: Duration
    private let writeTimeout: Duration
    private let acquireTimeout: Duration
    private let maxQueued: Int
    /// Bound for a lingering connection when there is no write deadline.
    static let lingerWithoutDeadline: Duration = .seconds(10)
    private static let frameCapacity = 2048
    private static let maxPooledFrames = 64

    private var busyWriters = 0
    private var waiting: [QueuedPacket] = []
    private var waitingHead = 0
    private var expiryTimer: TimerID?
    private var framePool: [WireBuffer] = []
    private var connections: [ObjectIdentifier: TCPConnection] = [:]
    /// Plain TCP only: the writers, every one made at start.
    private var plainWriters: [DskitPacketWriterSlot] = []
    private var idlePlainWriters: [DskitPacketWriterSlot] = []
    private var onExpiry: (EventLoop) -> Void = { _ in }
    private var isShutDown = false
    /// TLS with persistent connections offered (the context offers the ALPN protocol).
    private let offersPersistent: Bool
    private let maxPersistent: Int
    private let persistentIdleTimeout: Duration
    /// Open persistent connections by destination.
    private var links: [SocketAddress: DskitPersistentPacketLink] = [:]

    init(loop: EventLoop, store: CounterStore, tls: TLSContext?, advertised: String,
         configuration: DskitTransportConfiguration) {
        self.loop = loop
        self.store = store
        self.tls = tls
        self.advertised = advertised
        writerCount = configuration.effectiveWriterCount
        dialTimeout = configuration.packetDialTimeout
        writeTimeout = configuration.packetWriteTimeout
        acquireTimeout = configuration.acquireWriterTimeout
        maxQueued = max(0, configuration.maxQueuedPackets)
        offersPersistent = tls != nil && configuration.tls.persistentConnections
        maxPersistent = max(0, configuration.maxPersistentOutbound)
        persistentIdleTimeout = configuration.persistentIdleTimeout
        framePool.reserveCapacity(Self.maxPooledFrames)
        onExpiry = { [unowned self] _ in
            self.expiryTimer = nil
            self.dropExpired()
            self.armExpiry()
        }
        if tls == nil {
            for _ in 0..<writerCount {
                let slot = DskitPacketWriterSlot(
                    loop: loop, store: store, frameCapacity: Self.frameCapacity, writeTimeout: writeTimeout,
                    finished: { [unowned self] slot in self.plainWriterFinished(slot) })
                plainWriters.append(slot)
            }
            idlePlainWriters = plainWriters
            // The pool's own spare frames: one per writer, swapped in as packets start.
            for _ in 0..<writerCount { framePool.append(WireBuffer(capacity: Self.frameCapacity)) }
        }
    }

    deinit {
        for link in links.values { link.close() }
        for connection in connections.values { connection.close() }
        for writer in plainWriters { writer.abandon() }
    }

    /// Packets waiting for a writer.
    var queuedCount: Int { waiting.count - waitingHead }

    /// Frames `payload` for `destination` and starts or queues it.
    func send(_ payload: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard !isShutDown else {
            store.values.packetsDropped += 1
            return
        }
        if !links.isEmpty, let link = links[destination] {
            var frame = framePool.popLast() ?? WireBuffer(capacity: Self.frameCapacity)
            frame.removeAll(keepingCapacity: true)
            let sent = sendPersistent(payload, over: link, using: &frame)
            recycle(frame)
            if sent { return }
        }
        if busyWriters >= writerCount, queuedCount >= maxQueued {
            store.values.packetsDropped += 1
            return
        }
        var frame = framePool.popLast() ?? WireBuffer(capacity: Self.frameCapacity)
        frame.removeAll(keepingCapacity: true)
        do {
            try DskitPacketFrame.encode(address: advertised, payload: payload, into: &frame)
        } catch {
            store.values.packetsSentErrors += 1
            recycle(frame)
            return
        }
        let packet = QueuedPacket(
            frame: frame, payloadLength: payload.count, destination: destination,
            expiresAt: loop.now + acquireTimeout)
        if busyWriters < writerCount && queuedCount == 0 {
            start(packet)
        } else {
            waiting.append(packet)
            armExpiry()
        }
    }

    /// After a TLS reload: every persistent link stops taking packets and ends
    /// gracefully (the server reads what was sent), so the next packets handshake with
    /// the new files; a connection authenticated under a CA just removed must not
    /// live on for as long as traffic keeps it busy.
    func retirePersistentLinks() {
        let open = Array(links.values)
        for link in open { link.retire() }
    }

    /// Drops queued packets and closes every writer connection.
    func shutdown() {
        isShutDown = true
        if let expiryTimer { loop.cancel(expiryTimer) }
        expiryTimer = nil
        waiting.removeAll()
        waitingHead = 0
        let persistent = links.values
        links.removeAll()
        for link in persistent { link.close() }
        let open = connections.values
        connections.removeAll()
        for connection in open { connection.close() }
        for writer in plainWriters { writer.abandon() }
        idlePlainWriters = plainWriters
    }

    // MARK: queue

    private func dequeue() -> QueuedPacket? {
        guard waitingHead < waiting.count else { return nil }
        let packet = waiting[waitingHead]
        waiting[waitingHead].frame = WireBuffer()  // release the storage reference
        waitingHead += 1
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        } else if waitingHead >= 64, waitingHead * 2 >= waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
        return packet
    }

    /// One timer for the oldest waiting packet (all share the same timeout, so
    /// the head always expires first).
    private func armExpiry() {
        guard expiryTimer == nil, waitingHead < waiting.count else { return }
        expiryTimer = loop.schedule(at: waiting[waitingHead].expiresAt, onExpiry)
    }

    private func dropExpired() {
        let now = loop.now
        while waitingHead < waiting.count, waiting[waitingHead].expiresAt <= now {
            if let packet = dequeue() { recycle(packet.frame) }
            store.values.packetsDropped += 1
        }
    }

    private func writerFinished() {
        busyWriters -= 1
        guard !isShutDown else { return }
        dropExpired()
        while busyWriters < writerCount, let packet = dequeue() {
            start(packet)
        }
        if queuedCount == 0, let expiryTimer {
            loop.cancel(expiryTimer)
            self.expiryTimer = nil
        }
    }

    /// One packet on an open persistent link; false when it must go another way.
    private func sendPersistent(_ payload: UnsafeRawBufferPointer, over link: DskitPersistentPacketLink,
                                using frame: inout WireBuffer) -> Bool {
        do {
            try DskitPacketStreamFrame.encode(address: advertised, payload: payload, into: &frame)
        } catch {
            return false
        }
        guard link.send(frame) else { return false }
        store.values.packetsSent += 1
        store.values.packetsSentReused += 1
        store.values.packetsSentBytes += payload.count
        store.values.sentBytes += frame.count
        return true
    }

    /// After a TLS handshake: true when this connection should become the
    /// destination's persistent link (negotiated, none yet, under the bound).
    private func shouldPersist(_ connection: TCPConnection, to destination: SocketAddress) -> Bool {
        offersPersistent && links.count < maxPersistent && links[destination] == nil
            && connection.negotiatedApplicationProtocol(is: DskitPacketStreamFrame.applicationProtocol)
    }

    /// Opens the packet stream with `packet` as its first frame and keeps the
    /// connection as the destination's link. Counted like any packet write.
    private func persist(_ packet: QueuedPacket, over connection: TCPConnection) {
        var header = WireBuffer(capacity: 1 + DskitPacketStreamFrame.lengthPrefixBytes)
        header.append(DskitConnectionKind.packetStream.rawValue)
        header.append(bigEndian: UInt32(packet.frame.count))
        do {
            try header.withUnsafeBytes { (bytes) throws(ConnectionError) in try connection.write(bytes) }
            try packet.frame.withUnsafeBytes { (bytes) throws(ConnectionError) in try connection.write(bytes) }
        } catch {
            connection.close()
            store.values.packetsSentErrors += 1
            recycle(packet.frame)
            writerFinished()
            return
        }
        store.values.packetsSent += 1
        store.values.packetsSentBytes += packet.payloadLength
        store.values.sentBytes += header.count + packet.frame.count
        links[packet.destination] = DskitPersistentPacketLink(
            connection: connection, destination: packet.destination, loop: loop, store: store,
            idleTimeout: persistentIdleTimeout, lingerTimeout: Self.lingerWithoutDeadline,
            ended: { [weak self] link in
                guard let self, self.links[link.destination] === link else { return }
                self.links[link.destination] = nil
            })
        recycle(packet.frame)
        writerFinished()
    }

    private func recycle(_ frame: WireBuffer) {
        guard framePool.count < Self.maxPooledFrames, frame.capacity <= 4 * Self.frameCapacity else { return }
        framePool.append(frame)
    }

    // MARK: one writer

    private func start(_ packet: QueuedPacket) {
        if tls == nil {
            startPlain(packet)
            return
        }
        busyWriters += 1
        loop.connectTCP(to: packet.destination, timeout: dialTimeout, tls: tls) { [weak self] result in
            guard let self else {
                if case .success(let connection) = result { connection.close() }
                return
            }
            switch result {
            case .failure:
                self.store.values.packetsSentErrors += 1
                self.recycle(packet.frame)
                self.writerFinished()
            case .success(let connection):
                self.store.countHandshake(of: connection, asClient: true)
                if self.isShutDown {
                    connection.close()
                    self.writerFinished()
                    return
                }
                if self.shouldPersist(connection, to: packet.destination) {
                    self.persist(packet, over: connection)
                } else {
                    self.write(packet, over: connection)
                }
            }
        }
    }

    /// Plain TCP: the packet's frame goes into an idle slot (buffers swapped,
    /// the slot's previous one back to the frame pool).
    private func startPlain(_ packet: QueuedPacket) {
        guard let slot = idlePlainWriters.popLast() else {
            // Unreachable while busyWriters < writerCount; count rather than trap.
            store.values.packetsDropped += 1
            recycle(packet.frame)
            return
        }
        busyWriters += 1
        var packet = packet
        swap(&slot.frame, &packet.frame)
        recycle(packet.frame)
        guard slot.begin(to: packet.destination, payloadLength: packet.payloadLength, dialTimeout: dialTimeout)
        else {
            // No socket (e.g. out of descriptors): a send error, the writer free at once.
            store.values.packetsSentErrors += 1
            busyWriters -= 1
            idlePlainWriters.append(slot)
            return
        }
    }

    private func plainWriterFinished(_ slot: DskitPacketWriterSlot) {
        guard !isShutDown else { return }
        idlePlainWriters.append(slot)
        writerFinished()
    }

    private func write(_ packet: QueuedPacket, over connection: TCPConnection) {
        let key = ObjectIdentifier(connection)
        connections[key] = connection
        if writeTimeout > .zero { connection.setDeadline(loop.now + writeTimeout) }
        var completed = false
        let succeed = { [unowned self] in
            guard !completed else { return }
            completed = true
            self.store.values.packetsSent += 1
            self.store.values.packetsSentBytes += packet.payloadLength
            self.store.values.sentBytes += packet.frame.count
            connection.onWritable = nil
            connection.shutdownWrite()
            if self.writeTimeout <= .zero {
                connection.setReadDeadline(self.loop.now + Self.lingerWithoutDeadline)
            }
            self.recycle(packet.frame)
            self.writerFinished()
        }
        connection.onRead = { [unowned self] bytes in self.store.values.receivedBytes += bytes.count }
        connection.onReadEOF = {}
        connection.onClose = { [weak self] _ in
            guard let self else { return }
            self.connections[key] = nil
            guard !completed else { return }
            completed = true
            self.store.values.packetsSentErrors += 1
            self.recycle(packet.frame)
            self.writerFinished()
        }
        connection.onWritable = succeed
        do {
            try packet.frame.withUnsafeBytes { (bytes) throws(ConnectionError) in try connection.write(bytes) }
        } catch {
            connections[key] = nil
            connection.close()
            guard !completed else { return }
            completed = true
            store.values.packetsSentErrors += 1
            recycle(packet.frame)
            writerFinished()
            return
        }
        if connection.pendingWriteBytes == 0, connection.isOpen { succeed() }
    }
}
