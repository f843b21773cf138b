import MonotonicTime
import Wire

/// The one probe in flight (memberlist `probeNode`, §7.1). Go blocks its
/// probe goroutine; here the same steps advance on timer and message inputs.
struct ProbeState {
    enum Phase { case direct, indirect }
    enum Fallback { case none, pending, contacted, failed }

    let seqNo: UInt32
    /// The target as it was when the probe started (Go copies the node).
    let target: MemberRecord
    let ping: Ping
    let sentAt: MonotonicInstant
    /// sentAt + scaled probe interval: the ack handler's lifetime.
    let deadline: MonotonicInstant
    var phase: Phase = .direct
    var expectedNacks = 0
    var nacks = 0
    var fallback: Fallback = .none
    /// The deadline passed while the TCP fallback was still running.
    var waitingForFallback = false
}
