import EventLoop

/// Runs an `EventLoop` on the test's thread through a list of steps, each a
/// fact to wait for and an action to take once it holds; the loop stops after
/// the last step or at the deadline. Facts are rechecked whenever a node
/// reports something (`poke()`) and every 10 ms (timers and queues change
/// without events).
public final class LoopScript {
    struct Step {
        var fact: String
        var holds: () -> Bool
        var then: () -> Void
    }

    public let loop: EventLoop
    private var steps: [Step] = []
    private var next = 0
    private var poll: TimerID?
    private var deadlineTimer: TimerID?
    /// The fact still awaited when the deadline passed; nil after a full run.
    public private(set) var timedOutWaitingFor: String?

    public init() throws { loop = try EventLoop() }

    /// Waits until `holds`, then runs `then`.
    public func step(_ fact: String, until holds: @escaping () -> Bool, then: @escaping () -> Void = {}) {
        steps.append(Step(fact: fact, holds: holds, then: then))
    }

    /// Runs `setup` on the loop, then the steps; true when every step's fact held before `deadline`.
    public func run(within deadline: Duration, setup: @escaping () -> Void) throws -> Bool {
        loop.execute { [self] _ in
            setup()
            poke()
            schedulePoll()
        }
        deadlineTimer = loop.schedule(after: deadline) { [weak self] loop in
            if let self, self.next < self.steps.count { self.timedOutWaitingFor = self.steps[self.next].fact }
            loop.stop()
        }
        try loop.run()
        // The steps' closures usually capture the script and its nodes; dropping them and
        // the timers here ends those reference cycles, so every run frees its loop and nodes.
        for timer in [deadlineTimer, poll].compactMap({ $0 }) { loop.cancel(timer) }
        (deadlineTimer, poll) = (nil, nil)
        let finished = next == steps.count && timedOutWaitingFor == nil
        steps.removeAll()
        return finished
    }

    /// Checks the current fact (and the following ones) now.
    public func poke() {
        while next < steps.count, steps[next].holds() {
            let step = steps[next]
            next += 1
            step.then()
        }
        if next == steps.count { loop.stop() }
    }

    private func schedulePoll() {
        poll = loop.schedule(after: .milliseconds(10)) { [weak self] _ in
            self?.poke()
            self?.schedulePoll()
        }
    }
}
