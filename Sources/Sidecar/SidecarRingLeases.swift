import EventLoop
import HTTP
import KV
import MonotonicTime
import Node

/// `/v1/ring/{ring}`: applications registered as ring instances through the sidecar, each
/// on a lease. While the lease is renewed (a re-PUT), the sidecar heartbeats the instance
/// every `-memberlistd.ring.heartbeat-period` as dskit's Lifecycler does; when it expires or
/// on `DELETE`, the instance leaves as dskit's lifecycler leaves: LEAVING, then removed (a
/// LEFT tombstone that gossips) (dskit-kv-ring.md 5.3). `{ring}` is the ring's KV key,
/// percent-encoded when it has a slash (`collectors%2Fring`). Loop thread only.
final class SidecarRingLeases {
    private struct LeaseID: Hashable {
        var ring: String
        var instance: String
    }

    private struct Lease {
        var lifecycler: RingLifecycler
        var duration: Duration
        var expiresAt: MonotonicInstant
        var state: InstanceState = .pending
        var heartbeatTimer: TimerID?
        var expiryTimer: TimerID?
        var leaving = false
    }

    private unowned let node: GossipNode
    private var leases: [LeaseID: Lease] = [:]

    static let maxTokens = 4096
    static let maxLeaseSeconds = 86_400
    static let defaultLeaseSeconds = 30
    static let defaultTokens = 128
    static let maxReplicationFactor = 64

    init(node: GossipNode) {
        self.node = node
    }

    func route(_ exchange: HTTPExchange, _ rest: [String]) {
        guard let ring = rest.first, !ring.isEmpty else {
            return exchange.respond(HTTPError.notFound("a ring route is /v1/ring/{ring}").response)
        }
        switch Array(rest.dropFirst()) {
        case []:
            guard SidecarServer.allow(exchange, ["GET"]) else { return }
            show(exchange, ring: ring)
        case ["owners"]:
            guard SidecarServer.allow(exchange, ["GET"]) else { return }
            owners(exchange, ring: ring)
        case let tail where tail.count == 2 && tail[0] == "instances" && !tail[1].isEmpty:
            guard SidecarServer.allow(exchange, ["PUT", "DELETE"]) else { return }
            let id = LeaseID(ring: ring, instance: tail[1])
            if exchange.request.method == "PUT" { register(exchange, id) } else { deregister(exchange, id) }
        default:
            exchange.respond(HTTPError.notFound("no route for \(exchange.request.path)").response)
        }
    }

    // MARK: reading

    private func ring(_ key: String) -> RingDesc? {
        node.kvGet(key)?.value as? RingDesc
    }

    private func isHealthy(_ instance: InstanceDesc, nowMillis: Int64) -> Bool {
        instance.isHealthy(for: .reporting,
                           heartbeatTimeoutMillis: node.config.ring.heartbeatTimeout.nanosecondsClamped / 1_000_000,
                           nowMillis: nowMillis)
    }

    private func show(_ exchange: HTTPExchange, ring key: String) {
        guard let desc = ring(key) else { return exchange.respond(HTTPError.notFound("no ring at key \"\(key)\"").response) }
        let now = WallClock.nowMillis()
        exchange.respond(SidecarJSON.response { json in
            json.beginObject()
            json.field("ring", key)
            json.key("instances")
            json.beginArray()
            for id in desc.instances.keys.sorted() {
                guard let instance = desc.instances[id] else { continue }
                SidecarJSON.instance(id: id, instance, healthy: isHealthy(instance, nowMillis: now), into: &json)
            }
            json.endArray()
            json.endObject()
        })
    }

    /// `GET /v1/ring/{ring}/owners?key=&rf=`: the replica set of the key's token, the token
    /// being 32-bit FNV-1 of the key's bytes (dskit/Pyroscope `TokenFor`, `RingKeyHash`),
    /// walked as dskit's `Ring.Get` for writes, zone-aware when instances have zones.
    private func owners(_ exchange: HTTPExchange, ring key: String) {
        let request = exchange.request
        guard let item = request.query("key") else {
            return exchange.respond(HTTPError.badRequest("missing key=<the key to place>").response)
        }
        var replicationFactor = 3
        if let text = request.query("rf") {
            guard let rf = Int(text), rf >= 1, rf <= Self.maxReplicationFactor else {
                return exchange.respond(HTTPError.badRequest("rf must be an integer from 1 to \(Self.maxReplicationFactor)").response)
            }
            replicationFactor = rf
        }
        guard let desc = ring(key) else { return exchange.respond(HTTPError.notFound("no ring at key \"\(key)\"").response) }
        let token = RingKeyHash.tokenFor(tenantID: "", labels: item)
        let zoneAware = desc.instances.values.contains { !$0.zone.isEmpty }
        let owners = RingTokens(desc).owners(of: token, replicationFactor: replicationFactor, operation: .write,
                                              zoneAware: zoneAware)
        let now = WallClock.nowMillis()
        exchange.respond(SidecarJSON.response { json in
            json.beginObject()
            json.field("key", item)
            json.field("token", token)
            json.field("zone_aware", zoneAware)
            json.key("owners")
            json.beginArray()
            for owner in owners {
                SidecarJSON.instance(id: owner.id, owner, healthy: isHealthy(owner, nowMillis: now), into: &json)
            }
            json.endArray()
            json.endObject()
        })
    }

    // MARK: registration

    /// The PUT body: `{address, zone, tokens, lease_seconds}`; address is required.
    private struct Registration {
        var address: String
        var zone: String
        var tokens: Int
        var leaseSeconds: Int

        init(_ body: [UInt8]) throws(HTTPError) {
            let json: JSONValue
            do {
                json = try JSONValue(parsing: body)
            } catch {
                throw .badRequest("\(error)")
            }
            guard case .object(let members) = json else { throw .badRequest("the body must be a JSON object") }
            for name in members.keys where !["address", "zone", "tokens", "lease_seconds"].contains(name) {
                throw .badRequest("unknown field \"\(name)\"; expected address, zone, tokens, lease_seconds")
            }
            guard let address = json["address"]?.stringValue, !address.isEmpty, address.utf8.count <= 256 else {
                throw .badRequest("address must be a non-empty string (host:port of the application), at most 256 bytes")
            }
            self.address = address
            switch json["zone"] {
            case nil: zone = ""
            case .string(let text)? where text.utf8.count <= 64: zone = text
            default: throw .badRequest("zone must be a string of at most 64 bytes")
            }
            switch json["tokens"] {
            case nil: tokens = SidecarRingLeases.defaultTokens
            case let value?:
                guard let count = value.intValue, count >= 1, count <= SidecarRingLeases.maxTokens else {
                    throw .badRequest("tokens must be an integer from 1 to \(SidecarRingLeases.maxTokens)")
                }
                tokens = count
            }
            switch json["lease_seconds"] {
            case nil: leaseSeconds = SidecarRingLeases.defaultLeaseSeconds
            case let value?:
                guard let seconds = value.intValue, seconds >= 1, seconds <= SidecarRingLeases.maxLeaseSeconds else {
                    throw .badRequest("lease_seconds must be an integer from 1 to \(SidecarRingLeases.maxLeaseSeconds)")
                }
                leaseSeconds = seconds
            }
        }
    }

    /// A new instance is registered (PENDING), then takes its tokens (ACTIVE) and is answered
    /// 201; a known one has its lease renewed (200), its address and zone rewritten.
    private func register(_ exchange: HTTPExchange, _ id: LeaseID) {
        let registration: Registration
        do {
            registration = try Registration(exchange.request.body)
        } catch {
            return exchange.respond(error.response)
        }
        if id.instance.utf8.count > 256 {
            return exchange.respond(HTTPError.badRequest("instance id longer than 256 bytes").response)
        }
        let duration = Duration.seconds(registration.leaseSeconds)
        if var lease = leases[id] {
            guard !lease.leaving else {
                return exchange.respond(HTTPError.conflict("instance \"\(id.instance)\" is leaving; register again once it left").response)
            }
            lease.duration = duration
            lease.expiresAt = node.loop.now + duration
            let changed = lease.lifecycler.addr != registration.address || lease.lifecycler.zone != registration.zone
            lease.lifecycler.addr = registration.address
            lease.lifecycler.zone = registration.zone
            leases[id] = lease
            scheduleExpiry(id)
            if changed { heartbeat(id) }
            return respondInstance(exchange, id, status: .ok)
        }
        let lifecycler = RingLifecycler(instanceID: id.instance, addr: registration.address, zone: registration.zone,
                                        numTokens: registration.tokens)
        leases[id] = Lease(lifecycler: lifecycler, duration: duration, expiresAt: node.loop.now + duration)
        scheduleExpiry(id)
        node.ringRegisterAndJoin(key: id.ring, lifecycler: lifecycler, registered: { [weak self] result in
            guard case .done = result else {
                self?.failed(exchange, id, result)
                return
            }
        }, joined: { [weak self] result in
            guard let self else { return }
            guard case .done = result else { return self.failed(exchange, id, result) }
            guard self.leases[id]?.leaving == false else {
                return exchange.respond(HTTPError.conflict("instance \"\(id.instance)\" left while registering").response)
            }
            self.leases[id]?.state = .active
            self.node.logger.info("sidecar ring instance registered", ("ring", id.ring), ("instance", id.instance),
                                  ("addr", registration.address), ("lease", "\(registration.leaseSeconds)s"))
            self.scheduleHeartbeat(id)
            self.respondInstance(exchange, id, status: .created)
        })
    }

    private func failed(_ exchange: HTTPExchange, _ id: LeaseID, _ result: GossipNode.KVCASResult) {
        if let lease = leases.removeValue(forKey: id) { cancelTimers(lease) }
        switch result {
        case .failed(let error):
            exchange.respond(HTTPError.conflict("key \"\(id.ring)\" does not hold a ring: \(error)").response)
        default:
            exchange.respond(HTTPError.unavailable("the ring write kept conflicting with concurrent updates; retry").response)
        }
    }

    private func respondInstance(_ exchange: HTTPExchange, _ id: LeaseID, status: HTTPStatus) {
        let lease = leases[id]
        let instance = ring(id.ring)?.instances[id.instance]
            ?? InstanceDesc(addr: lease?.lifecycler.addr ?? "", state: lease?.state ?? .pending, zone: lease?.lifecycler.zone ?? "")
        let leaseSeconds = lease.map { Int($0.duration.components.seconds) } ?? 0
        exchange.respond(SidecarJSON.response(status) { json in
            json.beginObject()
            json.field("ring", id.ring)
            json.field("lease_seconds", leaseSeconds)
            json.key("instance")
            SidecarJSON.instance(id: id.instance, instance, healthy: true, into: &json)
            json.endObject()
        })
    }

    private func deregister(_ exchange: HTTPExchange, _ id: LeaseID) {
        guard let lease = leases[id], !lease.leaving else {
            return exchange.respond(HTTPError.notFound("no instance \"\(id.instance)\" registered through this sidecar in ring \"\(id.ring)\"").response)
        }
        leave(id, reason: "deleted") { exchange.respond(HTTPResponse(status: .noContent)) }
    }

    // MARK: lease timers

    private func scheduleExpiry(_ id: LeaseID) {
        guard var lease = leases[id] else { return }
        if let timer = lease.expiryTimer { _ = node.loop.cancel(timer) }
        lease.expiryTimer = node.loop.schedule(at: lease.expiresAt) { [weak self] _ in
            self?.leases[id]?.expiryTimer = nil
            self?.leave(id, reason: "lease expired") {}
        }
        leases[id] = lease
    }

    private func scheduleHeartbeat(_ id: LeaseID) {
        let period = node.config.ring.heartbeatPeriod
        guard period > .zero, var lease = leases[id], !lease.leaving else { return }
        lease.heartbeatTimer = node.loop.schedule(after: period) { [weak self] _ in
            self?.leases[id]?.heartbeatTimer = nil
            self?.heartbeat(id)
        }
        leases[id] = lease
    }

    /// The instance rewritten with timestamp = now; the next one is scheduled after it.
    private func heartbeat(_ id: LeaseID) {
        guard let lease = leases[id], !lease.leaving else { return }
        node.writeRingHeartbeat(key: id.ring, lifecycler: lease.lifecycler, state: { [weak self] in
            guard let lease = self?.leases[id], !lease.leaving else { return nil }
            return lease.state
        }, completion: { [weak self] _ in
            guard let self, self.leases[id]?.heartbeatTimer == nil else { return }
            self.scheduleHeartbeat(id)
        })
    }

    /// LEAVING, then removed from the ring (LEFT tombstone), then the lease is forgotten.
    private func leave(_ id: LeaseID, reason: String, _ done: @escaping () -> Void) {
        guard var lease = leases[id], !lease.leaving else { return done() }
        lease.leaving = true
        lease.state = .leaving
        cancelTimers(lease)
        lease.heartbeatTimer = nil
        lease.expiryTimer = nil
        leases[id] = lease
        let lifecycler = lease.lifecycler
        node.logger.info("sidecar ring instance leaving", ("ring", id.ring), ("instance", id.instance), ("reason", reason))
        // As the node leaves its own instance: LEAVING gets until the shutdown broadcast timeout to spread.
        let deadline = node.loop.now + node.config.kvStore.broadcastTimeoutForLocalUpdatesOnShutdown
        node.ringLeaveAndUnregister(key: id.ring, lifecycler: lifecycler, until: deadline, done: { [weak self] in
            self?.leases[id] = nil
            self?.node.logger.info("sidecar ring instance left", ("ring", id.ring), ("instance", id.instance))
            done()
        })
    }

    private func cancelTimers(_ lease: Lease) {
        if let timer = lease.heartbeatTimer { _ = node.loop.cancel(timer) }
        if let timer = lease.expiryTimer { _ = node.loop.cancel(timer) }
    }

    /// Every registered instance leaves; `done` once all did.
    func leaveAll(_ done: @escaping () -> Void) {
        let ids = leases.filter { !$0.value.leaving }.map(\.key)
        guard !ids.isEmpty else { return done() }
        var remaining = ids.count
        for id in ids {
            leave(id, reason: "sidecar stopping") {
                remaining -= 1
                if remaining == 0 { done() }
            }
        }
    }

    /// Stops heartbeats and lease timers without writing (the node is gone).
    func stopAll() {
        for lease in leases.values { cancelTimers(lease) }
        leases.removeAll()
    }
}
