import EventLoop
import Wire
import Glibc
import Wire

/// memberlist's own transport (`-memberlist.transport=udp`; Go's NetTransport):
/// UDP packets and TCP streams on the same port (memberlist-wire.md §3-4),
/// IPv4 or IPv6. Loop thread only.
///
/// Binding follows NetTransport: TCP first, then UDP on the TCP port, so port 0
/// yields one kernel-chosen port for both (retried up to 10 times if the UDP
/// port is taken, as memberlist retries). Bound to `::`, the sockets are dual
/// stack; IPv4 peers then appear IPv4-mapped and are reported as plain IPv4,
/// and IPv4 destinations are mapped before sending.
///
/// Hot path: a received datagram is lent straight from the loop's recvmmsg
/// slab and a sent one goes straight from the caller's bytes to `sendto`, so
/// no packet allocates.
public final class MemberlistTransport: NodeTransport, AcceptingTransport {
    public let advertisedAddress: SocketAddress
    /// The local address both sockets are bound to (with the real port).
    public let boundAddress: SocketAddress
    public var onPacket: ((InboundPacket) -> Void)?
    public var onStream: ((TransportStream) -> Void)?

    private unowned let loop: EventLoop
    let store = CounterStore()
    private var udp: UDPSocket?
    private var listener: TCPListener?
    private let maxStreamBufferBytes: Int
    private var isShutDown = false

    /// Attempts when the kernel-chosen TCP port is taken for UDP.
    static let portZeroAttempts = 10

    /// Binds both sockets and derives the advertised address. `interfaces`
    /// replaces `getifaddrs` (for tests); nil reads the host's.
    public init(
        loop: EventLoop, configuration: MemberlistTransportConfiguration,
        interfaces: [InterfaceAddress]? = nil
    ) throws(TransportError) {
        self.loop = loop
        maxStreamBufferBytes = configuration.maxStreamBufferBytes
        guard let bindIP = SocketAddress(ip: configuration.bindAddress, port: 0) else {
            throw .invalidBindAddress("\(configuration.bindAddress)")
        }
        guard (0...65_535).contains(configuration.bindPort) else {
            throw .invalidPort(setting: "bind_port", value: configuration.bindPort)
        }
        let relay = CallbackRelay<MemberlistTransport>()
        let (listener, udp) = try Self.bindPair(
            loop: loop, ip: bindIP, port: UInt16(configuration.bindPort), relay: relay)
        self.listener = listener
        self.udp = udp
        boundAddress = udp.localAddress
        let hostInterfaces: [InterfaceAddress]
        if let interfaces {
            hostInterfaces = interfaces
        } else if bindIP.isUnspecified && configuration.advertiseAddress == nil {
            do { hostInterfaces = try InterfaceAddress.current() } catch {
                listener.close()
                udp.close()
                throw .noAdvertiseAddress(reason: error.description)
            }
        } else {
            hostInterfaces = []
        }
        do {
            advertisedAddress = try AdvertiseAddressRule.resolve(
                advertiseAddress: configuration.advertiseAddress, advertisePort: configuration.advertisePort,
                firstBindAddress: bindIP, boundPort: udp.localAddress.port, interfaces: hostInterfaces)
        } catch {
            listener.close()
            udp.close()
            throw error
        }
        relay.target = self
    }

    deinit {
        shutdown()
    }

    /// A UDP datagram's payload (`WireLimits.maxDatagramInflation`).
    public var packetInflationLimit: Int { WireLimits.maxDatagramInflation }

    public var counters: TransportCounters {
        var values = store.values
        if let udp {
            values.packetsReceivedErrors += udp.counters.truncated
        }
        return values
    }

    public func sendPacket(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard let udp else {
            store.values.packetsSentErrors += 1
            return
        }
        let target = udp.localAddress.family == .ipv6 ? destination.mappingToIPv6 : destination.unmappingIPv4
        let droppedBefore = udp.counters.sendDropped
        if udp.send(bytes, to: target) {
            store.values.packetsSent += 1
            store.values.packetsSentBytes += bytes.count
        } else if udp.counters.sendDropped != droppedBefore {
            store.values.packetsDropped += 1
        } else {
            store.values.packetsSentErrors += 1
        }
    }

    public func openStream(
        to destination: SocketAddress, timeout: Duration,
        _ completion: @escaping (Result<TransportStream, TransportError>) -> Void
    ) {
        loop.connectStream(to: destination, timeout: timeout, shutDown: isShutDown, counters: store, owner: self, completion) { [weak self] connection in
            guard let self else { return connection.close() }
            self.store.values.outgoingStreams += 1
            completion(.success(self.makeStream(connection)))
        }
    }

    public func shutdown() {
        isShutDown = true
        udp?.close()
        listener?.close()
        udp = nil
        listener = nil
    }

    // MARK: inbound

    fileprivate func received(_ datagram: UDPDatagram) {
        store.values.packetsReceived += 1
        store.values.packetsReceivedBytes += datagram.bytes.count
        onPacket?(InboundPacket(bytes: datagram.bytes, source: datagram.source.unmappingIPv4, receivedAt: loop.now))
    }

    func accepted(_ connection: TCPConnection) {
        store.values.incomingStreams += 1
        let stream = makeStream(connection)
        onStream?(stream)
    }

    private func makeStream(_ connection: TCPConnection) -> TransportStream {
        TransportStream(
            connection: connection, remoteAddress: connection.remoteAddress.unmappingIPv4,
            leftover: UnsafeRawBufferPointer(start: nil, count: 0),
            inboundLimit: maxStreamBufferBytes, counters: store)
    }

    // MARK: binding

    /// TCP first, then UDP on the same port (memberlist's NetTransport order).
    private static func bindPair(
        loop: EventLoop, ip: SocketAddress, port: UInt16, relay: CallbackRelay<MemberlistTransport>
    ) throws(TransportError) -> (TCPListener, UDPSocket) {
        let attempts = port == 0 ? portZeroAttempts : 1
        var lastError = SystemError(syscall: "bind", errno: EADDRINUSE)
        for _ in 0..<attempts {
            let listener: TCPListener
            do {
                listener = try loop.listenTCP(
                    on: ip.with(port: port),
                    onAccept: relay.accept, onAcceptError: { _, _ in relay.countAcceptError() })
            } catch {
                throw .bind(address: ip.with(port: port).description, error)
            }
            do {
                let udp = try loop.bindUDP(ip.with(port: listener.localAddress.port)) { datagram in
                    relay.target?.received(datagram)
                }
                return (listener, udp)
            } catch {
                listener.close()
                lastError = error
                guard error.errno == EADDRINUSE else { break }
            }
        }
        throw .bind(address: ip.with(port: port).description, lastError)
    }
}
