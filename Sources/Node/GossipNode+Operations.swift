import Config
import EventLoop
import Membership
import MonotonicTime
import Wire

/// The application-facing operations, on the loop thread: join, leave,
/// broadcast, and commands posted from other threads.
extension GossipNode {
    // MARK: join

    /// Joins through `seeds` (memberlist-wire.md §9): every entry is resolved
    /// again (IP literals as given, names and dskit's DNS forms through the
    /// loop's c-ares resolver, dskit-kv-ring.md §4), then one push/pull with
    /// Join=true per address. `completion` gets the success count and each failure.
    public func join(_ seeds: [JoinSeed], completion: @escaping (JoinOutcome) -> Void) {
        joinAddresses.resolve(seeds) { [weak self] resolution in
            guard let self else { return }
            self.counters.dnsLookups += resolution.lookups
            self.counters.dnsFailures += resolution.failedLookups
            self.counters.dnsProviderResults = resolution.resultsPerEntry
            for failure in resolution.failures { self.logger.warn("join address lookup failed", ("err", failure)) }
            self.startJoin(resolution.targets, failures: resolution.failures, completion: completion)
        }
    }

    /// Parses textual entries (`JoinSeed` forms), then joins.
    public func join(_ entries: [String], completion: @escaping (JoinOutcome) -> Void) {
        var seeds: [JoinSeed] = []
        var failures: [String] = []
        for entry in entries {
            switch JoinSeed.parse(entry) {
            case .success(let seed): seeds.append(seed)
            case .failure(let error): failures.append("\(entry): \(error)")
            }
        }
        guard failures.isEmpty else {
            completion(JoinOutcome(successes: 0, failures: failures))
            return
        }
        join(seeds, completion: completion)
    }

    private func startJoin(_ targets: [JoinTarget], failures: [String], completion: @escaping (JoinOutcome) -> Void) {
        guard !isShutDown else {
            completion(JoinOutcome(successes: 0, failures: failures + ["node shut down"]))
            return
        }
        guard !targets.isEmpty else {
            completion(JoinOutcome(successes: 0, failures: failures.isEmpty ? ["no join addresses"] : failures))
            return
        }
        let id = core.join(targets, at: MonotonicInstant.now(), into: &effects)
        joinCompletions[id] = { outcome in
            completion(JoinOutcome(successes: outcome.successes, failures: failures + outcome.failures))
        }
        drain()
    }

    // MARK: leave

    /// Leaves gracefully (memberlist-wire.md §9): broadcasts our own dead
    /// message so peers mark us left, and calls `completion(true)` once it was
    /// sent retransmit-limit times, or `false` after `timeout`. The node keeps
    /// gossiping until `shutdown()`.
    public func leave(timeout: Duration, completion: @escaping (Bool) -> Void) {
        guard !isShutDown else {
            completion(false)
            return
        }
        let id = core.leave(timeout: timeout, at: MonotonicInstant.now(), into: &effects)
        leaveCompletions[id] = completion
        drain()
    }

    // MARK: user messages

    /// Queues `payload` for gossip to every member (memberlist-wire.md §3.6).
    public func broadcast(_ payload: [UInt8]) {
        guard !isShutDown else { return }
        _ = relay.firstSighting(payload)
        core.queueUserBroadcast(payload, key: nil)
        if config.membership.eagerDissemination {
            core.disseminate(at: MonotonicInstant.now(), into: &effects)
            drain()
        }
    }

    /// A user message from a packet or stream. A dskit KV update is applied to the store,
    /// which re-gossips only what changed its state (dskit-kv-ring.md 3.6). Anything else
    /// (counted invalid by the store, as dskit does) is an opaque payload: delivered and
    /// relayed once per distinct payload, so a broadcast reaches everyone even from peers
    /// that only gossip to some of us.
    func userMessageArrived(_ payload: [UInt8]) {
        guard !receiveKVMessage(payload) else { return }
        guard relay.firstSighting(payload) else { return }
        pendingRelays.append(payload)
    }

    /// Delivers and re-queues user messages collected during a core call.
    func flushRelays() {
        guard !pendingRelays.isEmpty else { return }
        let batch = pendingRelays
        pendingRelays.removeAll(keepingCapacity: true)
        for payload in batch {
            core.queueUserBroadcast(payload, key: nil)
            onEvent?(.userMessage(payload))
        }
        if config.membership.eagerDissemination { core.disseminate(at: MonotonicInstant.now(), into: &effects) }
    }

    // MARK: commands from other threads

    /// Runs one command posted through `commands`.
    func run(_ command: NodeCommand) {
        switch command {
        case .join(let entries, let reply):
            join(entries) { reply($0) }
        case .leave(let timeout, let reply):
            leave(timeout: timeout) { reply($0) }
        case .members(let reply):
            reply(members)
        case .broadcast(let payload):
            broadcast(payload)
        case .counters(let reply):
            reply(countersSnapshot)
        case .transportCounters(let reply):
            reply(transportCounters)
        case .shutdown(let reply):
            shutdown()
            reply()
        }
    }

    /// Answers a command that arrived after shutdown.
    func answerClosed(_ command: NodeCommand) {
        switch command {
        case .join(_, let reply): reply(JoinOutcome(successes: 0, failures: ["node shut down"]))
        case .leave(_, let reply): reply(false)
        case .members(let reply): reply([])
        case .counters(let reply): reply(countersSnapshot)
        case .transportCounters(let reply): reply(transportCounters)
        case .shutdown(let reply): reply()
        case .broadcast: break
        }
    }
}
