import EventLoop
import Membership
import MonotonicTime
import Wire

/// Executing the core's effects and delivering its timers.
extension GossipNode {
    /// Executes queued effects until none are left. Re-entrant calls (an
    /// effect whose handler feeds the core again) return at once; the outer
    /// loop picks up what they appended.
    func drain() {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        repeat {
            while !effects.isEmpty {
                swap(&effects, &effectBatch)
                for effect in effectBatch { execute(effect) }
                effectBatch.removeAll(keepingCapacity: true)
            }
            // Relays may send at once (eager dissemination): run what they asked for too.
            flushRelays()
            flushKV()
        } while !effects.isEmpty
    }

    private func execute(_ effect: MembershipEffect) {
        switch effect {
        case .send(let packet):
            send(packet)
        case .armTimer(let timer, let at):
            arm(timer, at: at.nanoseconds)
        case .openPushPull(let request):
            startPushPull(request)
        case .openStreamPing(let request):
            startStreamPing(request)
        case .event(let event):
            report(event)
        case .joinFinished(let id, let successes, let failures):
            let outcome = JoinOutcome(successes: successes,
                                      failures: failures.map { "\($0.target.address): \($0.reason)" })
            if let completion = joinCompletions.removeValue(forKey: id) { completion(outcome) }
        case .leaveFinished(let id, let timedOut):
            if let completion = leaveCompletions.removeValue(forKey: id) { completion(!timedOut) }
        case .updateFinished:
            break
        case .mergeRejected(let peer, let reason):
            logger.warn("push/pull state rejected", ("peer", "\(peer)"), ("reason", "\(reason)"))
        }
    }

    private func report(_ event: MembershipEvent) {
        if logger.enabled(.debug) {
            logger.debug("membership event", ("event", "\(event)"))
        }
        onEvent?(.membership(event))
        if departure != nil { checkDepartureAlone() }
    }

    // MARK: timers

    /// Queues a core timer and re-arms the loop timer if this one is earlier.
    private func arm(_ timer: MembershipTimer, at deadline: Int64) {
        guard !isShutDown else { return }
        timerQueue.add(timer, at: deadline)
        if let armedTimer, armedTimer.deadline <= deadline { return }
        rearm()
    }

    private func rearm() {
        if let armedTimer { loop.cancel(armedTimer.id) }
        armedTimer = nil
        guard let earliest = timerQueue.earliest, let timerCallback else { return }
        let id = loop.schedule(at: MonotonicInstant(nanoseconds: earliest), timerCallback)
        armedTimer = (earliest, id)
    }

    /// The loop timer fired: hand every due core timer to the core.
    func timersFired() {
        armedTimer = nil
        guard !isShutDown else { return }
        let now = MonotonicInstant.now()
        timerQueue.popDue(now: now.nanoseconds, into: &dueTimers)
        for timer in dueTimers {
            core.timerFired(timer, at: now, into: &effects)
        }
        dueTimers.removeAll(keepingCapacity: true)
        drain()
        if armedTimer == nil { rearm() }
    }
}
