import EventLoop
import MonotonicTime
import Wire

/// dskit's TCP transport (`kv/memberlist/tcp_transport.go`, the default as
/// Pyroscope runs it; dskit-kv-ring.md §1): every packet on its own new TCP
/// connection `01 N addr payload md5`, streams marked `02`, optionally all
/// inside TLS. Loop thread only; nothing blocks.
///
/// Inbound: one listener per bind address (port 0 chosen by the first and
/// reused). Each accepted connection is classified by its first byte: on
/// plain TCP by a reusable ``DskitInboundPacketSlot`` (at most
/// `maxInboundPacketConnections`, `maxInboundPacketConnectionsPerSource` from one
/// IP; beyond: closed and counted), so steady
/// traffic allocates nothing (issue #4); with TLS by a
/// ``DskitInboundConnection``, after a handshake among at most
/// `maxPendingHandshakes` (`maxPendingHandshakesPerSource` from one IP; beyond:
/// closed and counted). A packet is read to EOF, capped at
/// `maxPacketPayloadBytes` (beyond: dropped, counted), decoded with
/// `DskitPacketFrame`, and delivered with the header address as its source; a
/// digest mismatch is counted as a receive error and still delivered, as in
/// dskit; fewer than 16 bytes after the address is an error and dropped.
///
/// Outbound packets go through ``DskitPacketWriterPool``; outbound streams
/// dial with the caller's timeout and write `02` first.
public final class DskitTransport: NodeTransport, AcceptingTransport {
    public let advertisedAddress: SocketAddress
    /// The listeners' local addresses, in `bind_addr` order (with the real port).
    public let boundAddresses: [SocketAddress]
    public var onPacket: ((InboundPacket) -> Void)?
    public var onStream: ((TransportStream) -> Void)?

    let store = CounterStore()
    private unowned let loop: EventLoop
    private let configuration: DskitTransportConfiguration
    private let tls: TLSContext?
    private var listeners: [TCPListener]
    private var writers: DskitPacketWriterPool?
    private var inbound: [ObjectIdentifier: DskitInboundConnection] = [:]
    private let queuePool = InboundByteQueuePool()
    /// Plain TCP: reusable inbound connection state, bounded by `maxInboundPacketConnections`.
    private var inboundSlots: BoundedObjectPool<DskitInboundPacketSlot>?
    /// Plain TCP: slots in use by source IP (`maxInboundPacketConnectionsPerSource`).
    private var inboundSlotsBySource: [IPAddress: Int] = [:]
    /// Every slot made so far (to close the open ones at shutdown).
    private var everyInboundSlot: [DskitInboundPacketSlot] = []
    private var isShutDown = false
    /// TLS server tickets: the key rotation timer and its callback (made once).
    private var ticketRotation: TimerID?
    private var onTicketRotation: (EventLoop) -> Void = { _ in }

    /// Builds the TLS context (when enabled), binds the listeners and derives
    /// the advertised address. `interfaces` replaces `getifaddrs` (for tests).
    public init(
        loop: EventLoop, configuration: DskitTransportConfiguration,
        interfaces: [InterfaceAddress]? = nil
    ) throws(TransportError) {
        self.loop = loop
        self.configuration = configuration
        if configuration.tls.enabled {
            var settings = try configuration.tls.tlsConfiguration()
            settings.sessionCacheCapacity = configuration.tls.sessionCacheSize
            if configuration.tls.persistentConnections {
                settings.applicationProtocols = [DskitPacketStreamFrame.applicationProtocol]
                settings.sessionTicketLifetime = configuration.tlsSessionTicketLifetime
            }
            do { tls = try TLSContext(configuration: settings) } catch { throw .tls(error) }
        } else {
            tls = nil
        }
        let bindAddresses = configuration.bindAddresses.isEmpty ? [IPAddress(0, 0, 0, 0)] : configuration.bindAddresses
        var bindIPs: [SocketAddress] = []
        for address in bindAddresses {
            guard let ip = SocketAddress(ip: address, port: 0) else { throw .invalidBindAddress("\(address)") }
            bindIPs.append(ip)
        }
        guard (0...65_535).contains(configuration.bindPort) else {
            throw .invalidPort(setting: "bind_port", value: configuration.bindPort)
        }
        let relay = CallbackRelay<DskitTransport>()
        listeners = []
        var port = UInt16(configuration.bindPort)
        for ip in bindIPs {
            do {
                let listener: TCPListener
                if tls == nil {
                    listener = try loop.listenTCP(
                        on: ip.with(port: port),
                        onAcceptDescriptor: { accepted in
                            if let transport = relay.target { transport.accepted(accepted) } else { accepted.close() }
                        },
                        onAcceptError: { _, _ in relay.countAcceptError() })
                } else {
                    listener = try loop.listenTCP(
                        on: ip.with(port: port), tls: tls, handshakeTimeout: configuration.inboundPacketTimeout,
                        onAccept: relay.accept, onAcceptError: { _, _ in relay.countAcceptError() })
                    listener.maxPendingHandshakes = configuration.maxPendingHandshakes
                    listener.maxPendingHandshakesPerSource = configuration.maxPendingHandshakesPerSource
                    listener.onHandshakeRefused = { _ in relay.target?.store.values.inboundConnectionsDropped += 1 }
                }
                listeners.append(listener)
                port = listener.localAddress.port
            } catch {
                for listener in listeners { listener.close() }
                throw .bind(address: ip.with(port: port).description, error)
            }
        }
        boundAddresses = listeners.map(\.localAddress)
        let firstIP = bindIPs[0]
        var hostInterfaces = interfaces ?? []
        if interfaces == nil, firstIP.isUnspecified, configuration.advertiseAddress == nil {
            do { hostInterfaces = try InterfaceAddress.current() } catch {
                for listener in listeners { listener.close() }
                throw .noAdvertiseAddress(reason: error.description)
            }
        }
        do {
            advertisedAddress = try AdvertiseAddressRule.resolve(
                advertiseAddress: configuration.advertiseAddress, advertisePort: configuration.advertisePort,
                firstBindAddress: firstIP, boundPort: port, interfaces: hostInterfaces)
        } catch {
            for listener in listeners { listener.close() }
            throw error
        }
        let advertisedText = advertisedAddress.description
        guard advertisedText.utf8.count <= 255 else {
            for listener in listeners { listener.close() }
            throw .advertiseAddressTooLong(advertisedText)
        }
        writers = DskitPacketWriterPool(
            loop: loop, store: store, tls: tls, advertised: advertisedText, configuration: configuration)
        if tls == nil {
            inboundSlots = BoundedObjectPool(limit: configuration.maxInboundPacketConnections) { [unowned self] in
                let slot = DskitInboundPacketSlot(loop: loop, transport: self, frameLimit: self.packetConnectionLimit)
                self.everyInboundSlot.append(slot)
                return slot
            }
        }
        relay.target = self
        if let tls, tls.configuration.sessionTicketLifetime > .zero {
            onTicketRotation = { [weak self] _ in self?.rotateTicketKeys() }
            ticketRotation = loop.schedule(after: tls.configuration.sessionTicketLifetime, onTicketRotation)
        }
    }

    deinit {
        shutdown()
    }

    public var counters: TransportCounters { store.values }

    /// dskit's packet limit (its memberlist UDPBufferSize, 10 MiB): the largest packet a
    /// dskit sender builds before compressing (dskit-kv-ring.md §1).
    public var packetInflationLimit: Int { configuration.maxPacketPayloadBytes }

    /// Re-reads the TLS certificate, key and CA files (rotation without a restart;
    /// with `ifFilesChanged`, only once they changed and settled,
    /// ``TLSContext/reloadIfFilesChanged()``). New handshakes, as client and as server,
    /// use them; no earlier session resumes. Open connections finish: a persistent packet
    /// connection stops taking packets and ends once what was sent on it is read, so
    /// nothing authenticated by a removed CA stays in use. A bad file is refused and
    /// the previous files stay in use. Counted in `tlsReloads`/`tlsReloadFailures`;
    /// nil without TLS or when nothing changed.
    public func reloadTLS(ifFilesChanged: Bool) -> TLSReloadOutcome? {
        guard let tls, !isShutDown else { return nil }
        do {
            if ifFilesChanged {
                guard try tls.reloadIfFilesChanged() else { return nil }
            } else {
                try tls.reload()
            }
        } catch {
            store.values.tlsReloadFailures += 1
            return .refused(error)
        }
        store.values.tlsReloads += 1
        writers?.retirePersistentLinks()
        for connection in Array(inbound.values) { connection.retirePacketStream() }
        return .reloaded
    }

    /// Moves server tickets to a new key (the previous one still decrypts) and re-arms.
    private func rotateTicketKeys() {
        ticketRotation = nil
        guard let tls, !isShutDown else { return }
        // A failure (no randomness) keeps the current key a while longer.
        try? tls.rotateTicketKeys()
        ticketRotation = loop.schedule(after: tls.configuration.sessionTicketLifetime, onTicketRotation)
    }

    /// Packets waiting for a free writer (for tests and metrics).
    public var queuedPackets: Int { writers?.queuedCount ?? 0 }

    public func sendPacket(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard let writers else {
            store.values.packetsDropped += 1
            return
        }
        writers.send(bytes, to: destination)
    }

    public func openStream(
        to destination: SocketAddress, timeout: Duration,
        _ completion: @escaping (Result<TransportStream, TransportError>) -> Void
    ) {
        loop.connectStream(to: destination, timeout: timeout, shutDown: isShutDown, tls: tls, counters: store, owner: self,
                           completion) { [weak self] connection in
            guard let self else { return connection.close() }
            self.store.countHandshake(of: connection, asClient: true)
            var marker = DskitConnectionKind.stream.rawValue
            let written: Result<Void, ConnectionError> = withUnsafeBytes(of: &marker) { bytes in
                Result { () throws(ConnectionError) in try connection.write(bytes) }
            }
            if case .failure(let error) = written {
                connection.close()
                self.store.values.outgoingStreamErrors += 1
                completion(.failure(.connection(error)))
                return
            }
            self.store.values.sentBytes += 1
            self.store.values.outgoingStreams += 1
            completion(.success(self.makeStream(connection, leftover: UnsafeRawBufferPointer(start: nil, count: 0))))
        }
    }

    public func shutdown() {
        isShutDown = true
        if let ticketRotation { loop.cancel(ticketRotation) }
        ticketRotation = nil
        for listener in listeners { listener.close() }
        listeners.removeAll()
        writers?.shutdown()
        writers = nil
        let pending = inbound.values
        inbound.removeAll()
        for connection in pending { connection.connection.close() }
        for slot in everyInboundSlot { slot.abandon() }
        inboundSlots = nil
        everyInboundSlot.removeAll()
    }

    // MARK: inbound (called by DskitInboundConnection)

    func accepted(_ connection: TCPConnection) {
        guard !isShutDown else {
            connection.close()
            return
        }
        store.countHandshake(of: connection, asClient: false)
        let handler = DskitInboundConnection(
            connection: connection, transport: self, loop: loop, queue: queuePool.take(limit: packetConnectionLimit),
            deadline: loop.now + configuration.inboundPacketTimeout)
        inbound[ObjectIdentifier(handler)] = handler
    }

    /// Plain TCP: a reusable slot reads the connection; none free, or the source already
    /// holding `maxInboundPacketConnectionsPerSource`, means drop and count.
    fileprivate func accepted(_ descriptor: AcceptedDescriptor) {
        let source = descriptor.peer.ip
        guard !isShutDown, inboundSlotsBySource[source, default: 0] < configuration.maxInboundPacketConnectionsPerSource,
              let slot = inboundSlots?.take() else {
            descriptor.close()
            store.values.inboundConnectionsDropped += 1
            return
        }
        if slot.begin(descriptor, deadline: loop.now + configuration.inboundPacketTimeout) {
            inboundSlotsBySource[source, default: 0] += 1
        } else {
            store.values.acceptErrors += 1
            inboundSlots?.give(slot)
        }
    }

    /// A slot finished its connection and is free for the next.
    func releaseInboundSlot(_ slot: DskitInboundPacketSlot) {
        guard !isShutDown else { return }
        if let source = slot.source {
            let left = inboundSlotsBySource[source, default: 1] - 1
            inboundSlotsBySource[source] = left > 0 ? left : nil
        }
        inboundSlots?.give(slot)
    }

    /// Server side of a persistent packet connection (``DskitPacketStreamFrame``):
    /// whether it may stay open (under `maxPersistentInbound`; counted open if so).
    func admitPersistentInbound() -> Bool {
        guard configuration.tls.persistentConnections,
              store.values.persistentConnectionsInbound < configuration.maxPersistentInbound else { return false }
        store.values.persistentConnectionsInbound += 1
        return true
    }

    func persistentInboundEnded() { store.values.persistentConnectionsInbound -= 1 }

    /// The server keeps an idle persistent connection twice as long as a client
    /// does, so the client, which knows whether a packet is on its way, ends it.
    var persistentInboundIdleTimeout: Duration { configuration.persistentIdleTimeout * 2 }

    /// How long an inbound connection may linger after the server asked it to close.
    var inboundPacketTimeout: Duration { configuration.inboundPacketTimeout }

    /// Largest dskit packet frame (without its length prefix) a persistent connection carries.
    var packetFrameLimit: Int { packetConnectionLimit }

    /// Bytes a packet connection may carry: marker, address, payload cap, digest.
    private var packetConnectionLimit: Int {
        2 + 255 + configuration.maxPacketPayloadBytes + DskitPacketFrame.digestLength
    }

    func adoptInboundStream(_ connection: TCPConnection, leftover: UnsafeRawBufferPointer) {
        store.values.incomingStreams += 1
        let stream = makeStream(connection, leftover: leftover)
        onStream?(stream)
    }

    /// Decodes a whole packet connection and hands the payload to the node.
    func deliverPacket(connectionBytes: UnsafeRawBufferPointer) {
        let view: DskitPacketView
        do {
            view = try DskitPacketFrame.decode(connectionBytes)
        } catch {
            store.values.packetsReceivedErrors += 1
            return
        }
        guard let source = SocketAddress(hostPort: view.address) else {
            store.values.packetsReceivedErrors += 1
            return
        }
        if !view.digestMatches { store.values.packetsReceivedErrors += 1 }
        store.values.packetsReceived += 1
        store.values.packetsReceivedBytes += view.payload.count
        onPacket?(InboundPacket(bytes: view.payload, source: source.unmappingIPv4, receivedAt: loop.now))
    }

    func recycle(_ queue: InboundByteQueue) { queuePool.give(queue) }

    func forget(_ connection: DskitInboundConnection) {
        inbound[ObjectIdentifier(connection)] = nil
    }

    private func makeStream(_ connection: TCPConnection, leftover: UnsafeRawBufferPointer) -> TransportStream {
        TransportStream(
            connection: connection, remoteAddress: connection.remoteAddress.unmappingIPv4, leftover: leftover,
            inboundLimit: configuration.maxStreamBufferBytes, counters: store)
    }
}
