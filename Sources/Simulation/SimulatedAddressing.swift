import Membership
import Wire

/// The fixed scheme that gives simulated node slots their names and
/// addresses: slot i is "node-i" at 10.a.b.c:7946 where a.b.c encodes i + 1.
/// Encoding the slot in the address makes address → slot a constant-time
/// decode instead of a dictionary look-up on every packet.
public enum SimulatedAddressing {
    /// memberlist's default bind port (memberlist-wire.md §8).
    public static let port: UInt16 = 7946

    /// Largest slot the 24-bit encoding holds.
    public static let maxNodes = (1 << 24) - 2

    public static func name(of id: NodeID) -> String {
        "node-\(id.index)"
    }

    public static func address(of id: NodeID) -> NodeAddress {
        let value = id.index + 1
        let ip = IPAddress(10, UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
                           UInt8(truncatingIfNeeded: value))
        return NodeAddress(ip: ip, port: port)
    }

    /// The slot at `address`, nil when the address is outside the scheme.
    public static func node(at address: NodeAddress) -> NodeID? {
        guard address.port == port, let ip = address.ip.ipv4, ip[0] == 10 else { return nil }
        let value = Int(ip[1]) << 16 | Int(ip[2]) << 8 | Int(ip[3])
        guard value > 0 else { return nil }
        return NodeID(value - 1)
    }
}
