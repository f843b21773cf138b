import CShims
import Glibc

/// A non-blocking UDP socket owned by one loop (memberlist's packet transport).
///
/// Reads: on readiness the loop calls `recvmmsg` into its shared slab (32 ×
/// 64 KiB) and calls the reader once per datagram with a view into the slab.
/// Writes: `sendto` straight from the caller's bytes, or from a send buffer
/// allocated once per socket; EAGAIN drops the datagram and counts it.
/// The loop keeps the socket alive until `close()` or loop shutdown.
public final class UDPSocket {
    /// The bound address (with the kernel-chosen port when bound to port 0).
    public let localAddress: SocketAddress
    public private(set) var counters = UDPCounters()
    public private(set) var isOpen = true

    /// Largest payload `send(to:encode:)` can build (the UDP maximum).
    public static let sendBufferSize = 65_507

    private let fd: Int32
    private unowned let loop: EventLoop
    private let slab: UDPReceiveSlab
    private var watch: EventLoop.Watch?
    private var reader: (UDPDatagram) -> Void
    private let sendBuffer: UnsafeMutableRawBufferPointer
    /// Batches per readiness event before yielding to other descriptors.
    private static let batchesPerWakeup = 4

    init(
        loop: EventLoop, fd: Int32, localAddress: SocketAddress, slab: UDPReceiveSlab,
        reader: @escaping (UDPDatagram) -> Void
    ) {
        self.loop = loop
        self.fd = fd
        self.localAddress = localAddress
        self.slab = slab
        self.reader = reader
        self.sendBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.sendBufferSize, alignment: 16)
    }

    deinit {
        sendBuffer.deallocate()
        if isOpen { SocketSupport.close(fd) }
    }

    /// Sends `bytes` as one datagram. False when it was dropped (counted).
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) -> Bool {
        guard isOpen else { counters.sendFailed += 1; return false }
        var raw = destination.raw
        do {
            guard try nonBlocking("sendto", { cshims_sendto(fd, bytes.baseAddress, bytes.count, &raw) }) != nil else {
                counters.sendDropped += 1
                return false
            }
            counters.sent += 1
            return true
        } catch {
            counters.sendFailed += 1
            return false
        }
    }

    /// Lets `encode` write a datagram into the socket's reused send buffer and
    /// sends the first `encode` returns bytes of it. A return outside
    /// `0...sendBufferSize` is counted as oversized and nothing is sent.
    @discardableResult
    public func send<Failure: Error>(
        to destination: SocketAddress,
        encode: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int
    ) throws(Failure) -> Bool {
        let length = try encode(sendBuffer)
        guard length >= 0, length <= sendBuffer.count else {
            counters.sendOversized += 1
            return false
        }
        return send(UnsafeRawBufferPointer(rebasing: sendBuffer[0..<length]), to: destination)
    }

    /// Closes the socket; the reader is not called again, and is dropped so that whatever
    /// it captures (often this socket's owner) is not kept alive by the socket.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        reader = { _ in }
        if let watch { loop.unwatch(watch) }
        watch = nil
        SocketSupport.close(fd)
    }

    func start() throws(SystemError) {
        watch = try loop.register(fd, interest: .read, handler: { _ in
            self.readBatches()
        }, onShutdown: { self.close() })
    }

    private func readBatches() {
        for _ in 0..<Self.batchesPerWakeup {
            guard isOpen else { return }
            let count: Int
            do {
                guard let received = try slab.receive(from: fd) else { return }
                count = received
                counters.receiveBatches += 1
            } catch {
                // ICMP errors from earlier sends (ECONNREFUSED...) surface here; keep reading.
                continue
            }
            for index in 0..<count {
                guard isOpen else { return }
                if slab.isTruncated(at: index) {
                    counters.truncated += 1
                    continue
                }
                guard let source = slab.source(at: index) else { continue }
                counters.received += 1
                reader(UDPDatagram(bytes: slab.bytes(at: index), source: source))
            }
            if count < Int(UDPReceiveSlab.defaultCount) { return }
        }
    }
}

extension EventLoop {
    /// Binds a UDP socket (SO_REUSEADDR, 2 MiB buffers requested as Go does)
    /// and calls `reader` on the loop for every datagram that arrives.
    public func bindUDP(
        _ address: SocketAddress, reader: @escaping (UDPDatagram) -> Void
    ) throws(SystemError) -> UDPSocket {
        let slab: UDPReceiveSlab
        if let existing = udpSlab {
            slab = existing
        } else {
            slab = try UDPReceiveSlab()
            udpSlab = slab
        }
        let fd = try SocketSupport.open(family: address.family, type: CSHIMS_SOCK_DGRAM)
        let local: SocketAddress
        do {
            try SocketSupport.setOption(
                fd, level: CSHIMS_SOL_SOCKET, name: CSHIMS_SO_REUSEADDR, value: 1, label: "setsockopt(SO_REUSEADDR)")
            SocketSupport.requestLargeBuffers(fd)
            try SocketSupport.bind(fd, to: address)
            local = try SocketSupport.localAddress(fd)
        } catch {
            SocketSupport.close(fd)
            throw error
        }
        // From here the socket object owns the descriptor.
        let socket = UDPSocket(loop: self, fd: fd, localAddress: local, slab: slab, reader: reader)
        do {
            try socket.start()
        } catch {
            socket.close()
            throw error
        }
        return socket
    }
}
