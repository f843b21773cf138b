import Config
import EventLoop
import KV
import MonotonicTime

/// This node's own ring instance under `-memberlistd.ring.key`, kept as dskit's Lifecycler
/// keeps an ingester's (dskit-kv-ring.md 5.3): register, take tokens and turn ACTIVE,
/// heartbeat every period, and on shutdown turn LEAVING then unregister.
struct RingRegistration {
    var key: String
    var lifecycler: RingLifecycler
    /// The state the heartbeats write.
    var state: InstanceState = .pending
    var heartbeatTimer: TimerID?
    /// Set once shutdown began: no more heartbeats.
    var stopping = false
    /// Heartbeats written (dskit `member_consul_heartbeats_total`).
    var heartbeats = 0
}

extension GossipNode {
    /// Registers the instance (PENDING), then joins with `num-tokens` tokens (ACTIVE), then
    /// heartbeats. Each write is a CAS with dskit's retry rule (`kvCAS`).
    func startRingRegistration() {
        let instanceID = config.ring.instanceID.isEmpty ? name : config.ring.instanceID
        let lifecycler = RingLifecycler(instanceID: instanceID, addr: "\(advertisedAddress)",
                                        zone: config.membership.zoneRouting.map { String(decoding: $0.zone, as: UTF8.self) } ?? "",
                                        numTokens: config.ring.numTokens)
        ringRegistration = RingRegistration(key: config.ring.key, lifecycler: lifecycler)
        let key = config.ring.key
        ringRegisterAndJoin(key: key, lifecycler: lifecycler, registered: { [weak self] result in
            self?.logger.info("ring instance registered", ("key", key), ("instance", instanceID), ("result", "\(result)"))
        }, joined: { [weak self] result in
            guard let self, self.ringRegistration?.stopping == false else { return }
            self.ringRegistration?.state = .active
            self.logger.info("ring instance active", ("key", key), ("instance", instanceID), ("result", "\(result)"))
            self.scheduleRingHeartbeat()
        })
    }

    /// dskit Lifecycler's start for `lifecycler`'s instance in the ring at `key`: register
    /// (PENDING), then take tokens and turn ACTIVE, each a CAS with dskit's retry (`kvCAS`).
    /// `joined` is not called when the registration failed (`registered` gets that result).
    public func ringRegisterAndJoin(key: String, lifecycler: RingLifecycler,
                                    registered: @escaping (KVCASResult) -> Void = { _ in },
                                    joined: @escaping (KVCASResult) -> Void) {
        kvCAS(key: key, codecID: RingDescCodec.codecID, update: { current in
            var random = SystemRandomNumberGenerator()
            return lifecycler.register(current as? RingDesc, nowMillis: WallClock.nowMillis(), using: &random)
        }, completion: { [weak self] result in
            registered(result)
            guard let self, case .done = result else { return }
            self.kvCAS(key: key, codecID: RingDescCodec.codecID, update: { current in
                var random = SystemRandomNumberGenerator()
                return lifecycler.join(current as? RingDesc, nowMillis: WallClock.nowMillis(), using: &random)
            }, completion: joined)
        })
    }

    /// dskit Lifecycler's shutdown for `lifecycler`'s instance: LEAVING, wait for the local
    /// KV queue to drain (or `deadline`), unregister (the LEFT tombstone). `leaving` runs
    /// once LEAVING is written, `done` once the instance is removed.
    public func ringLeaveAndUnregister(key: String, lifecycler: RingLifecycler, until deadline: MonotonicInstant?,
                                       leaving: @escaping () -> Void = {}, done: @escaping () -> Void) {
        kvCAS(key: key, codecID: RingDescCodec.codecID, update: { current in
            lifecycler.leave(current as? RingDesc, nowMillis: WallClock.nowMillis())
        }, completion: { [weak self] _ in
            guard let self else { return }
            leaving()
            self.waitForLocalKVBroadcasts(until: deadline) { [weak self] in
                self?.kvCAS(key: key, codecID: RingDescCodec.codecID, update: { current in
                    lifecycler.unregister(current as? RingDesc)
                }, completion: { _ in done() })
            }
        })
    }

    private func scheduleRingHeartbeat() {
        let period = config.ring.heartbeatPeriod
        guard period > .zero, !isShutDown, ringRegistration?.stopping == false else { return }
        ringRegistration?.heartbeatTimer = loop.schedule(after: period) { [weak self] _ in
            self?.ringRegistration?.heartbeatTimer = nil
            self?.ringHeartbeat()
        }
    }

    /// One heartbeat: the own entry rewritten with timestamp = now and the current state.
    private func ringHeartbeat() {
        guard let registration = ringRegistration, !registration.stopping else { return }
        // The state is read when each attempt runs: a retry after shutdown began writes nothing.
        writeRingHeartbeat(key: registration.key, lifecycler: registration.lifecycler, state: { [weak self] in
            guard let registration = self?.ringRegistration, !registration.stopping else { return nil }
            return registration.state
        }, completion: { [weak self] _ in
            self?.ringRegistration?.heartbeats += 1
            self?.scheduleRingHeartbeat()
        })
    }

    /// One heartbeat of `lifecycler`'s instance: its entry rewritten with timestamp = now and
    /// the state `state` returns when each CAS attempt runs (nil = write nothing).
    public func writeRingHeartbeat(key: String, lifecycler: RingLifecycler, state: @escaping () -> InstanceState?,
                                   completion: @escaping (KVCASResult) -> Void) {
        kvCAS(key: key, codecID: RingDescCodec.codecID, update: { current in
            guard let state = state() else { return nil }
            return lifecycler.heartbeat(current as? RingDesc, state: state, nowMillis: WallClock.nowMillis())
        }, completion: completion)
    }

    /// Shutdown of the instance: LEAVING, wait for it to be broadcast, unregister (the LEFT
    /// tombstone), wait again; each wait ends when the local KV queue is empty, no other
    /// member is alive, or `deadline` passes (`broadcast-timeout-for-local-updates-on-shutdown`).
    /// Without a registration, only the wait.
    func leaveRing(until deadline: MonotonicInstant?, _ done: @escaping () -> Void) {
        guard var registration = ringRegistration, !registration.stopping else {
            waitForLocalKVBroadcasts(until: deadline, done)
            return
        }
        registration.stopping = true
        registration.state = .leaving
        if let timer = registration.heartbeatTimer { loop.cancel(timer) }
        registration.heartbeatTimer = nil
        ringRegistration = registration
        let key = registration.key
        let lifecycler = registration.lifecycler
        ringLeaveAndUnregister(key: key, lifecycler: lifecycler, until: deadline, leaving: { [weak self] in
            self?.logger.info("ring instance leaving", ("key", key), ("instance", lifecycler.instanceID))
        }, done: { [weak self] in
            guard let self else { return }
            self.logger.info("ring instance unregistered", ("key", key), ("instance", lifecycler.instanceID))
            self.waitForLocalKVBroadcasts(until: deadline, done)
        })
    }

    func stopRingTimers() {
        if let timer = ringRegistration?.heartbeatTimer { loop.cancel(timer) }
        ringRegistration?.heartbeatTimer = nil
    }
}
