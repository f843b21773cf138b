import MonotonicTime
import Wire

/// The core's mutable per-node state (memberlist `nodeState` plus its entry
/// in `nodeTimers`).
struct MemberRecord {
    var name: String
    var address: NodeAddress
    var meta: [UInt8]?
    var incarnation: UInt32
    var state: NodeStateKind
    var versions: ProtocolVersions
    var stateChange: MonotonicInstant
    /// The running Lifeguard suspicion, if any (§7.5).
    var suspicion: Suspicion?

    var isDeadOrLeft: Bool { state == .dead || state == .left }

    var member: Member {
        Member(name: name, address: address, meta: meta, incarnation: incarnation, state: state,
               versions: versions, stateChange: stateChange)
    }
}

/// Go's `bytes.Equal`: a nil slice equals an empty one.
@inline(__always)
func bytesEqual(_ lhs: [UInt8]?, _ rhs: [UInt8]?) -> Bool {
    switch (lhs, rhs) {
    case (nil, nil): return true
    case (let l?, nil): return l.isEmpty
    case (nil, let r?): return r.isEmpty
    case (let l?, let r?): return l == r
    }
}
