import Config
import EventLoop
import Membership
import Wire

/// What one resolution of the join entries gave.
struct JoinResolution {
    /// Every address to join, duplicates removed, in entry order.
    var targets: [JoinTarget] = []
    /// "entry: reason" for each entry whose lookup failed.
    var failures: [String] = []
    /// Entries looked up in DNS (dskit's `dns_lookups_total`) and how many failed (`dns_failures_total`).
    var lookups = 0
    var failedLookups = 0
    /// Addresses (SRV targets for `dnssrvnoa+`) per looked-up entry (`dns_provider_results`).
    var resultsPerEntry: [String: Int] = [:]
}

/// dskit's DNS provider for `-memberlist.join` entries (dskit-kv-ring.md §4),
/// on the node's loop through its `DNSResolver` (c-ares): every call
/// resolves every entry again; NXDOMAIN gives no addresses without an error;
/// an entry whose lookup fails reuses its previous answer; each resolution
/// replaces the whole cache. IP literals are used as given.
final class JoinAddressProvider {
    let loop: EventLoop
    let resolvConfPath: String
    private var resolver: DNSResolver?
    /// The last answer of each entry (keyed by its text), from the last resolution.
    private var lastAnswers: [String: [JoinTarget]] = [:]
    /// The same for `dnssrvnoa+` entries: their SRV targets as host:port seeds.
    private var lastServiceTargets: [String: [JoinSeed]] = [:]

    init(loop: EventLoop, resolvConfPath: String) {
        self.loop = loop
        self.resolvConfPath = resolvConfPath
    }

    /// Cancels lookups in flight (their entries fail) and closes c-ares' sockets.
    func close() {
        resolver?.close()
        resolver = nil
    }

    /// Resolves `seeds` and calls `completion` on the loop (at once when no
    /// entry needs DNS).
    func resolve(_ seeds: [JoinSeed], completion: @escaping (JoinResolution) -> Void) {
        let round = Round(completion: completion)
        round.pending += 1
        for seed in seeds { resolveEntry(seed, round: round) }
        finishOne(round)
    }

    // MARK: entries

    /// One resolution in flight: what it found so far and how many lookups are left.
    private final class Round {
        var resolution = JoinResolution()
        var answers: [String: [JoinTarget]] = [:]
        var serviceTargets: [String: [JoinSeed]] = [:]
        var pending = 0
        let completion: (JoinResolution) -> Void

        init(completion: @escaping (JoinResolution) -> Void) { self.completion = completion }
    }

    private func resolveEntry(_ seed: JoinSeed, round: Round) {
        if let ip = seed.ip, let port = seed.port {
            round.resolution.targets.append(JoinTarget(address: NodeAddress(ip: ip, port: port), name: seed.name))
            return
        }
        guard let resolver = ensureResolver(round: round, seed: seed) else { return }
        let entry = seed.description
        round.pending += 1
        round.resolution.lookups += 1
        switch seed.discovery {
        case .host, .addresses:
            resolver.lookupAddresses(seed.host, port: seed.port ?? JoinSeed.defaultPort) { [weak self] result in
                self?.entryFinished(entry, result.map { $0.map { Self.target($0, name: seed.name) } }, round: round)
            }
        case .service:
            resolver.lookupService(seed.host) { [weak self] result in
                switch result {
                case .failure(let error): self?.entryFinished(entry, .failure(error), round: round)
                case .success(let records): self?.resolveTargets(records, of: seed, round: round)
                }
            }
        case .serviceTargets:
            resolver.lookupService(seed.host) { [weak self] result in
                self?.serviceTargetsFound(result, of: seed, round: round)
            }
        }
    }

    /// `dnssrvnoa+`: each SRV target becomes a plain `host:port` entry of its own,
    /// resolved next; when the SRV lookup fails, the previous targets are.
    private func serviceTargetsFound(_ result: Result<[DNSServiceRecord], DNSError>, of seed: JoinSeed, round: Round) {
        let entry = seed.description
        let targets: [JoinSeed]
        switch result {
        case .success(let records):
            targets = records.map { JoinSeed(host: $0.target, port: seed.port ?? $0.port, ip: IPAddress(parsing: $0.target)) }
        case .failure(let error):
            targets = lastServiceTargets[entry] ?? []
            round.resolution.failedLookups += 1
            round.resolution.failures.append("\(entry): \(error)"
                + (targets.isEmpty ? "" : " (using the previous \(targets.count) targets)"))
        }
        round.serviceTargets[entry] = targets
        round.resolution.resultsPerEntry[entry] = targets.count
        for target in targets { resolveEntry(target, round: round) }
        finishOne(round)
    }

    /// `dnssrv+`: every address of every SRV target; one failing target fails the entry.
    private func resolveTargets(_ records: [DNSServiceRecord], of seed: JoinSeed, round: Round) {
        let entry = seed.description
        guard let resolver, !records.isEmpty else {
            entryFinished(entry, resolver == nil ? .failure(DNSError(.cancelled, name: seed.host, reason: "resolver closed"))
                                                 : .success([]), round: round)
            return
        }
        var remaining = records.count
        var targets: [JoinTarget] = []
        var failure: DNSError?
        for record in records {
            resolver.lookupAddresses(record.target, port: seed.port ?? record.port) { [weak self] result in
                switch result {
                case .success(let addresses): targets += addresses.map { Self.target($0, name: "") }
                case .failure(let error): failure = failure ?? error
                }
                remaining -= 1
                guard remaining == 0 else { return }
                self?.entryFinished(entry, failure.map { .failure($0) } ?? .success(targets), round: round)
            }
        }
    }

    /// Records one entry's answer, or its failure and then its previous answer.
    private func entryFinished(_ entry: String, _ result: Result<[JoinTarget], DNSError>, round: Round) {
        let targets: [JoinTarget]
        switch result {
        case .success(let found):
            targets = found
            if round.resolution.resultsPerEntry[entry] == nil { round.resolution.resultsPerEntry[entry] = found.count }
        case .failure(let error):
            round.resolution.failedLookups += 1
            targets = lastAnswers[entry] ?? []
            round.resolution.failures.append("\(entry): \(error)"
                + (targets.isEmpty ? "" : " (using the previous \(targets.count) addresses)"))
            round.resolution.resultsPerEntry[entry] = targets.count
        }
        round.answers[entry] = targets
        round.resolution.targets += targets
        finishOne(round)
    }

    /// One lookup (or the starting call) is done; the last one completes the round.
    private func finishOne(_ round: Round) {
        round.pending -= 1
        guard round.pending == 0 else { return }
        lastAnswers = round.answers
        lastServiceTargets = round.serviceTargets
        var seen = Set<JoinTarget>()
        round.resolution.targets = round.resolution.targets.filter { seen.insert($0).inserted }
        round.completion(round.resolution)
    }

    private func ensureResolver(round: Round, seed: JoinSeed) -> DNSResolver? {
        if let resolver { return resolver }
        do {
            let created = try DNSResolver(loop: loop, options: .init(resolvConfPath: resolvConfPath))
            resolver = created
            return created
        } catch {
            let entry = seed.description
            round.resolution.lookups += 1
            round.resolution.failedLookups += 1
            let previous = lastAnswers[entry] ?? []
            round.answers[entry] = previous
            round.resolution.targets += previous
            round.resolution.resultsPerEntry[entry] = previous.count
            round.resolution.failures.append("\(entry): \(error)")
            return nil
        }
    }

    private static func target(_ address: SocketAddress, name: String) -> JoinTarget {
        JoinTarget(address: NodeAddress(address), name: name)
    }
}
