import Wire

/// Settings of memberlist's own transport (`-memberlist.transport=udp`):
/// UDP packets and TCP streams on one port (memberlist-wire.md §3-4, §8).
public struct MemberlistTransportConfiguration: Sendable, Equatable {
    /// BindAddr: 0.0.0.0, :: or one local IP.
    public var bindAddress: IPAddress
    /// BindPort: 0 = kernel-chosen for TCP and reused for UDP.
    public var bindPort: Int
    /// AdvertiseAddr: nil derives it (``AdvertiseAddressRule``).
    public var advertiseAddress: IPAddress?
    /// AdvertisePort: used only with AdvertiseAddr.
    public var advertisePort: Int
    /// Unconsumed inbound stream bytes allowed before the stream is closed.
    public var maxStreamBufferBytes: Int

    public init(
        bindAddress: IPAddress = IPAddress(0, 0, 0, 0), bindPort: Int = 7946,
        advertiseAddress: IPAddress? = nil, advertisePort: Int = 7946,
        maxStreamBufferBytes: Int = 64 * 1024 * 1024
    ) {
        self.bindAddress = bindAddress
        self.bindPort = bindPort
        self.advertiseAddress = advertiseAddress
        self.advertisePort = advertisePort
        self.maxStreamBufferBytes = maxStreamBufferBytes
    }
}
