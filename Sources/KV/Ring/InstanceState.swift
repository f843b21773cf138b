/// An instance's state in a dskit ring (`ring.InstanceState`, dskit-kv-ring.md 5). LEFT is a
/// tombstone used only inside gossip: clients never see it.
public enum InstanceState: Equatable, Hashable, Sendable, CustomStringConvertible {
    case active, leaving, pending, joining, left
    /// A value this code does not know; kept so that decoding and re-encoding is lossless.
    case unrecognized(UInt64)

    public init(rawValue: UInt64) {
        switch rawValue {
        case 0: self = .active
        case 1: self = .leaving
        case 2: self = .pending
        case 3: self = .joining
        case 4: self = .left
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: UInt64 {
        switch self {
        case .active: 0
        case .leaving: 1
        case .pending: 2
        case .joining: 3
        case .left: 4
        case .unrecognized(let value): value
        }
    }

    /// The name dskit prints and uses as the `state` metric label.
    public var description: String {
        switch self {
        case .active: "ACTIVE"
        case .leaving: "LEAVING"
        case .pending: "PENDING"
        case .joining: "JOINING"
        case .left: "LEFT"
        case .unrecognized(let value): String(value)
        }
    }
}
