/// Protocol version constants (memberlist-wire.md §8).
public enum ProtocolVersion {
    public static let min: UInt8 = 1
    public static let max: UInt8 = 5
    /// memberlist's default ("ProtocolVersion2Compatible").
    public static let `default`: UInt8 = 2

    /// The 6 Vsn bytes Go sends: [pmin, pmax, pcur, dmin, dmax, dcur].
    public static func vsn(current: UInt8 = ProtocolVersion.default,
                           delegateMin: UInt8 = 0, delegateMax: UInt8 = 0, delegateCurrent: UInt8 = 0) -> [UInt8] {
        [min, max, current, delegateMin, delegateMax, delegateCurrent]
    }
}
