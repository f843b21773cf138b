import Config
import EventLoop
import MonotonicTime

/// dskit's join lifecycle (dskit-kv-ring.md §4): fast join at start, then the
/// full join with backoff (`joinCluster`), then rejoins every
/// `-memberlist.rejoin-interval` through the rejoin seeds, the first after a
/// random part of the interval so a fleet started together does not rejoin
/// together. Every lookup is redone per attempt (`join` resolves hostnames).
/// A leave or shutdown stops every phase silently.
extension GossipNode {
    /// Runs the three phases with the node's configuration; `report` runs on the loop.
    public func runJoinLifecycle(report: @escaping (JoinLifecycleReport) -> Void) {
        let seeds = config.joinMembers
        guard !seeds.isEmpty else {
            startRejoins(report: report)
            return
        }
        var random = SystemRandomNumberGenerator()
        let plan = FastJoinPlan(retransmitFactor: config.membership.retransmitMult, found: seeds.count)
        fastJoin(seeds.shuffled(using: &random)[...], plan: plan,
                 progress: JoinOutcome(successes: 0, failures: [])) { [weak self] outcome in
            guard let self, self.isActive else { return }
            let needed = self.config.fastJoinMinNodes
            let fatal = self.config.abortIfFastJoinFails && outcome.successes < needed
            report(.fastJoin(reached: outcome.successes, needed: needed, outcome: outcome,
                             fatal: self.config.abortIfFastJoinFails))
            guard !fatal, self.isActive else { return }
            self.joinCluster(seeds, schedule: JoinSchedule(self.config)) { [weak self] step in
                report(.fullJoin(step))
                guard let self, self.isActive else { return }
                switch step {
                case .joined, .gaveUp: self.startRejoins(report: report)
                case .attemptFailed: break
                }
            }
        }
    }

    /// Joins `remaining` one seed at a time until the plan's target is reached.
    private func fastJoin(_ remaining: ArraySlice<JoinSeed>, plan: FastJoinPlan, progress: JoinOutcome,
                          done: @escaping (JoinOutcome) -> Void) {
        guard isActive, let seed = remaining.first,
              plan.continues(reached: progress.successes, remaining: remaining.count) else {
            done(progress)
            return
        }
        join([seed]) { [weak self] outcome in
            let sum = JoinOutcome(successes: progress.successes + outcome.successes,
                                  failures: progress.failures + outcome.failures)
            self?.fastJoin(remaining.dropFirst(), plan: plan, progress: sum, done: done)
        }
    }

    /// Phase 3: off when the interval is zero or there is no seed.
    private func startRejoins(report: @escaping (JoinLifecycleReport) -> Void) {
        let seeds = config.rejoinSeedNodes.isEmpty ? config.joinMembers : config.rejoinSeedNodes
        let interval = config.rejoinInterval.nanosecondsClamped
        guard interval > 0, !seeds.isEmpty, isActive else { return }
        var random = SystemRandomNumberGenerator()
        let first = Duration.nanoseconds(Int64.random(in: 1...interval, using: &random))
        scheduleRejoin(after: first, seeds: seeds, report: report)
    }

    private func scheduleRejoin(after wait: Duration, seeds: [JoinSeed],
                                report: @escaping (JoinLifecycleReport) -> Void) {
        rejoinTimer = loop.schedule(after: wait) { [weak self] _ in
            guard let self else { return }
            self.rejoinTimer = nil
            guard self.isActive else { return }
            self.join(seeds) { [weak self] outcome in
                guard let self, self.isActive else { return }
                report(.rejoin(outcome))
            }
            self.scheduleRejoin(after: self.config.rejoinInterval, seeds: seeds, report: report)
        }
    }

    /// Neither shut down nor leaving.
    var isActive: Bool { !isShutDown && departure == nil }
}
