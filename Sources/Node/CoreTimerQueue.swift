import Membership

/// The core's pending timers, driven by ONE loop timer armed for the earliest
/// deadline, so arming a core timer never allocates a closure (the loop gets
/// the same prebuilt callback each time). Core timers are never cancelled and
/// stale firings are ignored by the core (MembershipTimer docs), so this only
/// needs add and pop-due.
struct CoreTimerQueue {
    private var deadlines: [Int64] = []
    private var timers: [MembershipTimer] = []

    init() {
        deadlines.reserveCapacity(64)
        timers.reserveCapacity(64)
    }

    var isEmpty: Bool { timers.isEmpty }
    var count: Int { timers.count }

    /// Earliest deadline in core nanoseconds.
    var earliest: Int64? { deadlines.min() }

    mutating func add(_ timer: MembershipTimer, at deadline: Int64) {
        deadlines.append(deadline)
        timers.append(timer)
    }

    /// Moves every timer due at `now` into `due`, earliest first.
    mutating func popDue(now: Int64, into due: inout [MembershipTimer]) {
        while true {
            var best = -1
            for index in deadlines.indices where deadlines[index] <= now {
                if best < 0 || deadlines[index] < deadlines[best] { best = index }
            }
            guard best >= 0 else { return }
            due.append(timers[best])
            deadlines.swapAt(best, deadlines.count - 1)
            timers.swapAt(best, timers.count - 1)
            deadlines.removeLast()
            timers.removeLast()
        }
    }

    mutating func removeAll() {
        deadlines.removeAll()
        timers.removeAll()
    }
}
