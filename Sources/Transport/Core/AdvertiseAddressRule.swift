import EventLoop
import Wire

/// How both transports pick the address they advertise (dskit-kv-ring.md §1
/// "Advertise address"; memberlist's NetTransport.FinalAdvertiseAddr follows
/// the same rule):
/// 1. `advertise_addr` set: that IP (IPv4-mapped written as IPv4) with `advertise_port`;
/// 2. else bound to 0.0.0.0: the first private IPv4 of an up interface, bound port;
/// 3. else bound to `::`: the first usable IPv6 interface address, bound port;
/// 4. else the first listener's IP and the bound port.
///
/// "Private" follows go-sockaddr's GetPrivateIP (RFC 6890 private-use,
/// forwardable): 10/8, 172.16/12, 192.168/16 and 100.64/10. go-sockaddr also
/// prefers the interface holding the default route; we take interfaces in
/// `getifaddrs` order (set `advertise_addr` when a host has several).
public enum AdvertiseAddressRule {
    /// Pure: applies the rule to the given settings and interface list.
    public static func resolve(
        advertiseAddress: IPAddress?, advertisePort: Int,
        firstBindAddress: SocketAddress, boundPort: UInt16,
        interfaces: [InterfaceAddress]
    ) throws(TransportError) -> SocketAddress {
        if let advertiseAddress {
            guard let ip = SocketAddress(ip: advertiseAddress, port: 0) else {
                throw .invalidAdvertiseAddress("\(advertiseAddress)")
            }
            guard (0...65_535).contains(advertisePort) else {
                throw .invalidPort(setting: "advertise_port", value: advertisePort)
            }
            return ip.unmappingIPv4.with(port: UInt16(advertisePort))
        }
        guard firstBindAddress.isUnspecified else { return firstBindAddress.unmappingIPv4.with(port: boundPort) }
        let candidates = interfaces.filter { $0.isUp && !$0.isLoopback }
        switch firstBindAddress.family {
        case .ipv4:
            guard let found = candidates.first(where: { isPrivateIPv4($0.address) }) else {
                throw .noAdvertiseAddress(reason: "bound to 0.0.0.0 and no interface has a private IPv4 address")
            }
            return found.address.with(port: boundPort)
        case .ipv6:
            guard let found = candidates.first(where: { isUsableIPv6($0.address) }) else {
                throw .noAdvertiseAddress(reason: "bound to :: and no interface has a global IPv6 address")
            }
            return found.address.with(port: boundPort)
        }
    }

    /// RFC 1918 plus the RFC 6598 shared range, as go-sockaddr treats private.
    static func isPrivateIPv4(_ address: SocketAddress) -> Bool {
        guard address.family == .ipv4 else { return false }
        let a = address.ip[0], b = address.ip[1]
        return a == 10
            || (a == 172 && (16...31).contains(b))
            || (a == 192 && b == 168)
            || (a == 100 && (64...127).contains(b))
    }

    /// Not loopback, not link-local (fe80::/10 needs a zone), not mapped IPv4.
    static func isUsableIPv6(_ address: SocketAddress) -> Bool {
        guard address.family == .ipv6, !address.isUnspecified, !address.ip.isIPv4Mapped else { return false }
        let first = address.ip[0], second = address.ip[1]
        if first == 0xFE && (second & 0xC0) == 0x80 { return false }
        var loopback = address.ip[15] == 1
        for index in 0..<15 where address.ip[index] != 0 { loopback = false }
        return !loopback
    }
}
