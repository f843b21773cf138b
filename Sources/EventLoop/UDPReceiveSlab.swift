import CShims

/// The receive buffers for `recvmmsg`: `count` × `size` bytes plus headers and
/// source addresses, allocated once per loop and shared by its UDP sockets
/// (ARCHITECTURE.md: "a slab of receive buffers filled by recvmmsg").
final class UDPReceiveSlab {
    /// 32 datagrams per system call, each up to the 64 KiB UDP maximum.
    static let defaultCount: Int32 = 32
    static let defaultSize: Int32 = 65_536

    let batch: OpaquePointer

    init() throws(SystemError) {
        guard let batch = cshims_udp_batch_create(Self.defaultCount, Self.defaultSize) else {
            throw SystemError(syscall: "malloc", errno: ENOMEM)
        }
        self.batch = batch
    }

    deinit { cshims_udp_batch_destroy(batch) }

    /// Fills the slab from `fd`: number of datagrams, or nil when none is waiting.
    func receive(from fd: Int32) throws(SystemError) -> Int? {
        try nonBlocking("recvmmsg") { cshims_udp_batch_receive(batch, fd) }.map(Int.init)
    }

    func bytes(at index: Int) -> UnsafeRawBufferPointer {
        let length = Int(cshims_udp_batch_length(batch, Int32(index)))
        return UnsafeRawBufferPointer(start: cshims_udp_batch_data(batch, Int32(index)), count: length)
    }

    func isTruncated(at index: Int) -> Bool { cshims_udp_batch_truncated(batch, Int32(index)) != 0 }

    func source(at index: Int) -> SocketAddress? {
        var raw = cshims_addr()
        cshims_udp_batch_source(batch, Int32(index), &raw)
        return SocketAddress(raw)
    }
}
