import MonotonicTime
import Wire

/// What the core knows about one node (memberlist's `nodeState`), as reported
/// in events and queries.
public struct Member: Hashable, Sendable {
    public var name: String
    public var address: NodeAddress
    public var meta: [UInt8]?
    public var incarnation: UInt32
    public var state: NodeStateKind
    public var versions: ProtocolVersions
    /// When `state` last changed (drives suspicion, reaping and reclaim, §7.4).
    public var stateChange: MonotonicInstant


    /// Dead or left: not probed, not a push/pull partner (memberlist `DeadOrLeft`).
    public var isDeadOrLeft: Bool { state == .dead || state == .left }

    /// This member as a push/pull entry, always with all 6 Vsn bytes (§10.1).
    public var pushNodeState: PushNodeState {
        PushNodeState(name: name, addr: address.ip, port: address.port, meta: meta,
                      incarnation: incarnation, state: state, vsn: versions.bytes)
    }
}
