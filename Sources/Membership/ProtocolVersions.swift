/// The six version bytes a node advertises (`Vsn`, memberlist-wire.md §2.4),
/// stored inline so a member record needs no array.
public struct ProtocolVersions: Hashable, Sendable {
    public var protocolMin: UInt8
    public var protocolMax: UInt8
    public var protocolCurrent: UInt8
    public var delegateMin: UInt8
    public var delegateMax: UInt8
    public var delegateCurrent: UInt8

    public init(protocolMin: UInt8, protocolMax: UInt8, protocolCurrent: UInt8,
                delegateMin: UInt8, delegateMax: UInt8, delegateCurrent: UInt8) {
        self.protocolMin = protocolMin
        self.protocolMax = protocolMax
        self.protocolCurrent = protocolCurrent
        self.delegateMin = delegateMin
        self.delegateMax = delegateMax
        self.delegateCurrent = delegateCurrent
    }

    /// All zero: what Go records for a node whose Vsn was missing or short.
    public static let zero = ProtocolVersions(protocolMin: 0, protocolMax: 0, protocolCurrent: 0,
                                              delegateMin: 0, delegateMax: 0, delegateCurrent: 0)

    /// From received Vsn bytes; nil unless at least 6 bytes are present.
    public init?(bytes: [UInt8]) {
        guard bytes.count >= 6 else { return nil }
        self.init(protocolMin: bytes[0], protocolMax: bytes[1], protocolCurrent: bytes[2],
                  delegateMin: bytes[3], delegateMax: bytes[4], delegateCurrent: bytes[5])
    }

    /// The 6 wire bytes [pmin, pmax, pcur, dmin, dmax, dcur].
    public var bytes: [UInt8] {
        [protocolMin, protocolMax, protocolCurrent, delegateMin, delegateMax, delegateCurrent]
    }
}
