/// Names one scheduled timer so it can be cancelled; stale IDs are harmless.
public struct TimerID: Hashable, Sendable {
    let slot: Int32
    let generation: UInt32
}
