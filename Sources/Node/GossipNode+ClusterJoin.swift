import Config
import EventLoop

/// Joining the cluster at startup with retries (dskit's full join,
/// dskit-kv-ring.md §4): one `join` per attempt through every seed, retried
/// after `JoinSchedule`'s backoff until a seed answers or the attempts run
/// out. A leave or shutdown stops the retries silently.
extension GossipNode {
    /// Starts the first attempt now; `report` runs on the loop after each attempt.
    public func joinCluster(_ seeds: [JoinSeed], schedule: JoinSchedule,
                            report: @escaping (ClusterJoinReport) -> Void) {
        attemptClusterJoin(1, seeds: seeds, schedule: schedule, report: report)
    }

    private func attemptClusterJoin(_ attempt: Int, seeds: [JoinSeed], schedule: JoinSchedule,
                                    report: @escaping (ClusterJoinReport) -> Void) {
        joinRetryTimer = nil
        guard !isShutDown, departure == nil else { return }
        join(seeds) { [weak self] outcome in
            guard let self, !self.isShutDown, self.departure == nil else { return }
            if outcome.successes > 0 {
                report(.joined(attempt: attempt, outcome: outcome))
                return
            }
            var random = SystemRandomNumberGenerator()
            let wait = schedule.backoff(afterFailedAttempt: attempt, using: &random)
            report(.attemptFailed(attempt: attempt, outcome: outcome, retryIn: wait))
            guard let wait else {
                report(.gaveUp(attempts: attempt))
                return
            }
            self.joinRetryTimer = self.loop.schedule(after: wait) { [weak self] _ in
                self?.attemptClusterJoin(attempt + 1, seeds: seeds, schedule: schedule, report: report)
            }
        }
    }

    /// Stops a scheduled retry (leave, shutdown).
    func cancelClusterJoin() {
        if let joinRetryTimer { loop.cancel(joinRetryTimer) }
        joinRetryTimer = nil
    }
}
