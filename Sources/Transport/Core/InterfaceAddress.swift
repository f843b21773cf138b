import EventLoop
import Glibc
import Wire

/// One IP address of a local network interface, as `getifaddrs` lists it.
public struct InterfaceAddress: Sendable, Equatable {
    public var interfaceName: String
    public var address: SocketAddress
    /// The interface is up (IFF_UP).
    public var isUp: Bool
    /// The interface is a loopback (IFF_LOOPBACK).
    public var isLoopback: Bool

    /// Every IPv4/IPv6 address of this host's interfaces, in `getifaddrs` order.
    /// Start-up only (allocates).
    public static func current() throws(SystemError) -> [InterfaceAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw SystemError(syscall: "getifaddrs", errno: errno) }
        defer { freeifaddrs(list) }
        var result: [InterfaceAddress] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socketAddress = entry.pointee.ifa_addr else { continue }
            let family = Int32(socketAddress.pointee.sa_family)
            var ip: (UInt64, UInt64) = (0, 0)
            let parsed: SocketAddress? = withUnsafeMutableBytes(of: &ip) { raw in
                if family == AF_INET {
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        var address = v4.pointee.sin_addr
                        withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) }
                    }
                    return IPAddress(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<4])).flatMap { SocketAddress(ip: $0, port: 0) }
                }
                if family == AF_INET6 {
                    var scope: UInt32 = 0
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                        var address = v6.pointee.sin6_addr
                        withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) }
                        scope = v6.pointee.sin6_scope_id
                    }
                    return IPAddress(bytes: UnsafeRawBufferPointer(raw)).flatMap { SocketAddress(ip: $0, port: 0, scopeID: scope) }
                }
                return nil
            }
            guard let parsed else { continue }
            let flags = entry.pointee.ifa_flags
            let name = entry.pointee.ifa_name.map { String(cString: $0) } ?? ""
            result.append(InterfaceAddress(
                interfaceName: name, address: parsed,
                isUp: flags & UInt32(IFF_UP) != 0,
                isLoopback: flags & UInt32(IFF_LOOPBACK) != 0))
        }
        return result
    }
}
