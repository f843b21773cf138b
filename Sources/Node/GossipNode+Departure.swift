import Config
import EventLoop
import MonotonicTime

/// A graceful exit: leave, stop waiting when the leave is broadcast, times out
/// or no live peer remains, then give the transport a grace period to put the
/// last gossip on the wire and shut down.
extension GossipNode {
    /// An exit in progress.
    struct Departure {
        var left: ((LeaveResult) -> Void)?
        var stopped: () -> Void
        var graceTimer: TimerID?
    }

    /// How long the transport gets after the leave finished before shutdown:
    /// dskit's TCP writers dial before they send, UDP only needs the kernel.
    public var shutdownGrace: Duration {
        config.transport == .tcp ? .milliseconds(500) : .milliseconds(100)
    }

    /// Leaves (cancelling join retries), reports why the wait ended through
    /// `left`, then after `shutdownGrace` shuts down and calls `stopped`.
    /// A second call while departing does nothing.
    public func leaveAndShutdown(timeout: Duration, left: @escaping (LeaveResult) -> Void,
                                 stopped: @escaping () -> Void) {
        guard departure == nil else { return }
        guard !isShutDown else {
            stopped()
            return
        }
        cancelClusterJoin()
        departure = Departure(left: left, stopped: stopped, graceTimer: nil)
        // dskit: the ring instance leaves and local KV updates are broadcast (bounded by
        // broadcast-timeout-for-local-updates-on-shutdown, 0 = unbounded) before Leave.
        let bound = config.kvStore.broadcastTimeoutForLocalUpdatesOnShutdown
        let deadline = bound > .zero ? MonotonicInstant.now().advanced(byNanoseconds: bound.nanosecondsClamped) : nil
        leaveRing(until: deadline) { [weak self] in
            guard let self, self.departure?.left != nil else { return }
            self.leave(timeout: timeout) { [weak self] complete in
                self?.departureWaitEnded(complete ? .broadcastComplete : .timedOut)
            }
            self.checkDepartureAlone()
        }
    }

    /// Called after each membership event while departing.
    func checkDepartureAlone() {
        guard departure?.left != nil, liveMembers.allSatisfy({ $0.name == name }) else { return }
        departureWaitEnded(.noLivePeers)
    }

    private func departureWaitEnded(_ result: LeaveResult) {
        guard var current = departure, let left = current.left else { return }
        current.left = nil
        current.graceTimer = loop.schedule(after: shutdownGrace) { [weak self] _ in self?.finishDeparture() }
        departure = current
        left(result)
    }

    /// Shuts down and calls `stopped` once; the departure then holds no closure, so a caller's
    /// closures that capture the node (or what owns it) do not keep it alive after it stopped.
    private func finishDeparture() {
        guard let current = departure else { return }
        departure = Departure(left: nil, stopped: {}, graceTimer: nil)
        shutdown()
        current.stopped()
    }
}
