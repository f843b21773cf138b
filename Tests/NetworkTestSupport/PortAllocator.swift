import Glibc
import Synchronization

/// Hands out loopback ports that are free for both UDP and TCP right now,
/// because memberlist's NetTransport binds the same port number for both
/// (memberlist-wire.md §8, BindPort). Each port is handed out at most once
/// per test process so parallel tests never collide with each other.
public enum PortAllocator {
    public enum Failure: Error, CustomStringConvertible {
        case noFreePort(attempts: Int)
        public var description: String {
            switch self {
            case .noFreePort(let attempts): "no port free on both UDP and TCP after \(attempts) attempts"
            }
        }
    }

    private static let handedOut = Mutex<Set<UInt16>>([])

    /// A port on 127.0.0.1 that was bindable for TCP and UDP at once.
    public static func freePort() throws -> Int {
        let attempts = 64
        for _ in 0..<attempts {
            guard let port = probe() else { continue }
            let isNew = handedOut.withLock { $0.insert(port).inserted }
            if isNew { return Int(port) }
        }
        throw Failure.noFreePort(attempts: attempts)
    }

    /// `count` distinct free ports.
    public static func freePorts(_ count: Int) throws -> [Int] {
        try (0..<count).map { _ in try freePort() }
    }

    /// Lets the kernel pick a TCP port, then checks UDP can bind the same one.
    private static func probe() -> UInt16? {
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard tcp >= 0 else { return nil }
        defer { close(tcp) }
        guard bindLoopback(tcp, port: 0), let port = boundPort(tcp) else { return nil }
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard udp >= 0 else { return nil }
        defer { close(udp) }
        return bindLoopback(udp, port: port) ? port : nil
    }

    private static func bindLoopback(_ fd: Int32, port: UInt16) -> Bool {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func boundPort(_ fd: Int32) -> UInt16? {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        return ok ? UInt16(bigEndian: addr.sin_port) : nil
    }
}
