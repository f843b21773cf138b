/// Raw IP bytes as memberlist puts them on the wire: 4 bytes, or 16 bytes
/// (including the IPv4-mapped form `::ffff:a.b.c.d`), memberlist-wire.md §2.4.
///
/// Stored inline so decoding an address never allocates (ARCHITECTURE.md,
/// "steady state makes no heap allocation"). Comparison is bytewise, as Go's
/// conflict detection compares (§10 pitfall 5).
public struct IPAddress: Hashable, Sendable {
    /// Longest address a wire field may carry.
    public static let maxLength = 16

    @usableFromInline var high: UInt64 = 0
    @usableFromInline var low: UInt64 = 0
    /// Number of meaningful bytes: 0, 4 or 16 for valid addresses (0...16 accepted).
    public private(set) var count: Int = 0

    public init() {}

    /// Returns nil when more than 16 bytes are given.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count <= Self.maxLength else { return nil }
        var index = 0
        for byte in bytes {
            setByte(byte, at: index)
            index += 1
        }
        count = index
    }

    /// An IPv4 address from its four octets.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        setByte(a, at: 0); setByte(b, at: 1); setByte(c, at: 2); setByte(d, at: 3)
        count = 4
    }

    public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count, "IPAddress index out of range")
        return byte(at: index)
    }

    /// The bytes as an array (allocates; for slow paths and tests).
    public var bytes: [UInt8] { (0..<count).map { byte(at: $0) } }

    /// Calls `body` with each byte in order, without allocating.
    @inlinable
    public func forEachByte(_ body: (UInt8) throws -> Void) rethrows {
        for index in 0..<count { try body(byte(at: index)) }
    }

    /// True for a 16-byte `::ffff:a.b.c.d` address.
    public var isIPv4Mapped: Bool {
        guard count == 16 else { return false }
        return high == 0 && (low >> 32) == 0xFFFF
    }

    /// The 4-byte form of an IPv4 or IPv4-mapped address, nil for real IPv6.
    public var ipv4: IPAddress? {
        if count == 4 { return self }
        guard isIPv4Mapped else { return nil }
        return IPAddress(byte(at: 12), byte(at: 13), byte(at: 14), byte(at: 15))
    }

    @usableFromInline func byte(at index: Int) -> UInt8 {
        let word = index < 8 ? high : low
        let shift = UInt64((7 - (index & 7)) * 8)
        return UInt8(truncatingIfNeeded: word >> shift)
    }

    private mutating func setByte(_ value: UInt8, at index: Int) {
        let shift = UInt64((7 - (index & 7)) * 8)
        let mask = ~(UInt64(0xFF) << shift)
        if index < 8 {
            high = (high & mask) | (UInt64(value) << shift)
        } else {
            low = (low & mask) | (UInt64(value) << shift)
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// Dotted quad for IPv4 (and IPv4-mapped), colon hex for IPv6, as Go's net.IP prints.
    public var description: String {
        if let v4 = ipv4 {
            return "\(v4.byte(at: 0)).\(v4.byte(at: 1)).\(v4.byte(at: 2)).\(v4.byte(at: 3))"
        }
        guard count == 16 else { return "?" + bytes.map { String($0, radix: 16) }.joined() }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) {
            groups.append(UInt16(byte(at: i)) << 8 | UInt16(byte(at: i + 1)))
        }
        // Compress the longest run of zero groups (length >= 2) with "::".
        var bestStart = -1, bestLength = 0, runStart = -1
        for (i, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = i }
                let length = i - runStart + 1
                if length > bestLength { bestLength = length; bestStart = runStart }
            } else {
                runStart = -1
            }
        }
        func hex(_ range: ArraySlice<UInt16>) -> String {
            range.map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestLength < 2 { return hex(groups[...]) }
        return hex(groups[..<bestStart]) + "::" + hex(groups[(bestStart + bestLength)...])
    }
}
