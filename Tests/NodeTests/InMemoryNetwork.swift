@testable import EventLoop
import Glibc
import Wire
@testable import Node
@testable import Transport

/// Nodes on one `EventLoop` wired together without IP: packets are copied and
/// delivered on the next loop turn, streams are connected socket pairs wrapped
/// as `TransportStream`s. An address is reachable only while a transport is
/// attached to it (`attach`), so a seed that is "down" refuses streams.
final class InMemoryNetwork {
    let loop: EventLoop
    private var endpoints: [SocketAddress: InMemoryTransport] = [:]

    init(loop: EventLoop) { self.loop = loop }

    /// The transport for `address`; reachable from now on.
    func attach(_ address: SocketAddress) -> InMemoryTransport {
        let transport = InMemoryTransport(address: address, network: self)
        endpoints[address] = transport
        return transport
    }

    func detach(_ transport: InMemoryTransport) {
        if endpoints[transport.advertisedAddress] === transport { endpoints[transport.advertisedAddress] = nil }
    }

    func deliver(_ bytes: [UInt8], from source: SocketAddress, to destination: SocketAddress) {
        loop.execute { [weak self] loop in
            guard let target = self?.endpoints[destination] else { return }
            bytes.withUnsafeBytes { raw in
                target.onPacket?(InboundPacket(bytes: raw, source: source, receivedAt: loop.now))
            }
        }
    }

    func connect(from source: InMemoryTransport, to destination: SocketAddress,
                 _ completion: @escaping (Result<TransportStream, TransportError>) -> Void) {
        guard let target = endpoints[destination] else {
            loop.execute { _ in completion(.failure(.connection(.system(SystemError(syscall: "connect", errno: ECONNREFUSED))))) }
            return
        }
        var fds: [Int32] = [-1, -1]
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else {
            let error = SystemError(syscall: "socketpair", errno: errno)
            loop.execute { _ in completion(.failure(.connection(.system(error)))) }
            return
        }
        do throws(SystemError) {
            let client: TransportStream
            do { client = try source.stream(fd: fds[0], remote: destination) } catch {
                close(fds[1])
                throw error
            }
            let server = try target.stream(fd: fds[1], remote: source.advertisedAddress)
            loop.execute { _ in
                target.onStream?(server)
                completion(.success(client))
            }
        } catch {
            loop.execute { _ in completion(.failure(.connection(.system(error)))) }
        }
    }
}

/// One node's end of the `InMemoryNetwork` (the `NodeTransport` the node sees).
final class InMemoryTransport: NodeTransport {
    let advertisedAddress: SocketAddress
    var onPacket: ((InboundPacket) -> Void)?
    var onStream: ((TransportStream) -> Void)?
    private let store = CounterStore()
    private weak var network: InMemoryNetwork?
    private(set) var isShutDown = false

    init(address: SocketAddress, network: InMemoryNetwork) {
        advertisedAddress = address
        self.network = network
    }

    var counters: TransportCounters { store.values }

    /// As memberlist's UDP transport: a datagram's payload.
    var packetInflationLimit: Int { WireLimits.maxDatagramInflation }

    func sendPacket(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard !isShutDown, let network else { return }
        store.values.packetsSent += 1
        network.deliver(Array(bytes), from: advertisedAddress, to: destination)
    }

    func openStream(to destination: SocketAddress, timeout: Duration,
                    _ completion: @escaping (Result<TransportStream, TransportError>) -> Void) {
        guard !isShutDown, let network else {
            completion(.failure(.shutDown))
            return
        }
        network.connect(from: self, to: destination, completion)
    }

    func shutdown() {
        isShutDown = true
        network?.detach(self)
    }

    func stream(fd: Int32, remote: SocketAddress) throws(SystemError) -> TransportStream {
        guard let loop = network?.loop else { throw SystemError(syscall: "stream", errno: ESHUTDOWN) }
        let connection = try loop.adoptConnectedTCP(AcceptedDescriptor(fd: fd, peer: remote))
        return TransportStream(connection: connection, remoteAddress: remote,
                               leftover: UnsafeRawBufferPointer(start: nil, count: 0),
                               inboundLimit: 4 << 20, counters: store)
    }
}
