/// One received datagram, lent to the reader for the duration of its callback.
///
/// `bytes` points into the loop's receive slab and is overwritten by the next
/// batch: copy what must outlive the callback.
public struct UDPDatagram {
    public let bytes: UnsafeRawBufferPointer
    public let source: SocketAddress
}
