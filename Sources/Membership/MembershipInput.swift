import MonotonicTime
import Wire

/// Every input that produces only effects, as one value, for drivers that
/// queue inputs (the simulator). Equivalent to calling the matching
/// `MembershipCore` method. Inputs that answer a stream synchronously
/// (`answerPushPull`, `answerStreamPing`) and calls that can fail
/// (`updateMeta`) are methods only.
public enum MembershipInput: Hashable, Sendable {
    /// A decoded packet message from `from`.
    case message(Message, from: NodeAddress)
    /// A timer armed by `armTimer` fired.
    case timer(MembershipTimer)
    /// A push/pull opened with `openPushPull` finished.
    case pushPullFinished(id: UInt64, Result<PushPullState, PushPullFailure>)
    /// A stream ping opened with `openStreamPing` finished.
    case streamPingFinished(seqNo: UInt32, acked: Bool)
    /// Join through these targets.
    case join([JoinTarget])
    /// Leave, waiting at most `timeout` for the broadcast.
    case leave(timeout: Duration?)
    /// Queue a user broadcast.
    case userBroadcast([UInt8], key: String?)
}

extension MembershipCore {
    /// Apply one input at `now`, appending its effects.
    public func handle(_ input: MembershipInput, at now: MonotonicInstant, into effects: inout [MembershipEffect]) {
        switch input {
        case .message(let message, let from): receive(message, from: from, at: now, into: &effects)
        case .timer(let timer): timerFired(timer, at: now, into: &effects)
        case .pushPullFinished(let id, let result): pushPullFinished(id, result: result, at: now, into: &effects)
        case .streamPingFinished(let seqNo, let acked): streamPingFinished(seqNo: seqNo, acked: acked, at: now, into: &effects)
        case .join(let targets): join(targets, at: now, into: &effects)
        case .leave(let timeout): leave(timeout: timeout, at: now, into: &effects)
        case .userBroadcast(let payload, let key): queueUserBroadcast(payload, key: key)
        }
    }
}
