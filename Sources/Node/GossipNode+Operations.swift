import Config
import EventLoop
import Membership
import Wire

/// The application-facing operations, on the loop thread: join, leave,
/// broadcast, and commands posted from other threads.
extension GossipNode {
    // MARK: join

    /// Joins through `seeds` (memberlist-wire.md §9): IP literals directly,
    /// hostnames resolved off the loop first; one push/pull with Join=true per
    /// address. `completion` gets the success count and each failure.
    public func join(_ seeds: [JoinSeed], completion: @escaping (JoinOutcome) -> Void) {
        var targets: [JoinTarget] = []
        var lookups: [JoinSeed] = []
        for seed in seeds {
            if let ip = seed.ip {
                targets.append(JoinTarget(address: NodeAddress(ip: ip, port: seed.port), name: seed.name))
            } else {
                lookups.append(seed)
            }
        }
        guard !lookups.isEmpty else {
            startJoin(targets, failures: [], completion: completion)
            return
        }
        nextResolution &+= 1
        let request = nextResolution
        var pending = PendingJoin(targets: targets, failures: [], outstanding: lookups.count,
                                  completion: completion, seeds: [:])
        for (index, seed) in lookups.enumerated() {
            let key = request &* 1024 &+ UInt64(index)
            pending.seeds[key] = seed
            let queue = commands
            HostResolver.resolve(seed.host) { result in
                queue.post(.resolved(request: key, result))
            }
        }
        pendingResolutions[request] = pending
    }

    /// Parses textual `[name/]host[:port]` entries, then joins.
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

    func resolutionFinished(_ key: UInt64, _ result: Result<[IPAddress], HostResolutionError>) {
        let request = key / 1024
        guard var pending = pendingResolutions[request], let seed = pending.seeds[key] else { return }
        switch result {
        case .success(let addresses):
            for ip in addresses {
                pending.targets.append(JoinTarget(address: NodeAddress(ip: ip, port: seed.port), name: seed.name))
            }
        case .failure(let error):
            pending.failures.append("\(seed): \(error)")
        }
        pending.outstanding -= 1
        if pending.outstanding > 0 {
            pendingResolutions[request] = pending
            return
        }
        pendingResolutions[request] = nil
        startJoin(pending.targets, failures: pending.failures, completion: pending.completion)
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
        let id = core.join(targets, at: coreNow, into: &effects)
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
        let id = core.leave(timeout: timeout, at: coreNow, into: &effects)
        leaveCompletions[id] = completion
        drain()
    }

    // MARK: user messages

    /// Queues `payload` for gossip to every member (memberlist-wire.md §3.6).
    public func broadcast(_ payload: [UInt8]) {
        guard !isShutDown else { return }
        _ = relay.firstSighting(payload)
        core.queueUserBroadcast(payload, key: nil)
    }

    /// A user message from a packet or stream: delivered and relayed once per
    /// distinct payload, so a broadcast reaches everyone even from peers that
    /// only gossip to some of us.
    func userMessageArrived(_ payload: [UInt8]) {
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
            reply(counters)
        case .shutdown(let reply):
            shutdown()
            reply()
        case .resolved(let key, let result):
            resolutionFinished(key, result)
        }
    }

    /// Answers a command that arrived after shutdown.
    func answerClosed(_ command: NodeCommand) {
        switch command {
        case .join(_, let reply): reply(JoinOutcome(successes: 0, failures: ["node shut down"]))
        case .leave(_, let reply): reply(false)
        case .members(let reply): reply([])
        case .counters(let reply): reply(counters)
        case .shutdown(let reply): reply()
        case .broadcast, .resolved: break
        }
    }
}
