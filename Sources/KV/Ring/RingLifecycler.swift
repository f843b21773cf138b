/// The ring writes of dskit's Lifecycler as pure CAS update functions (dskit-kv-ring.md 5.3):
/// each takes the ring read by a CAS (nil when the key is absent) and returns the ring to
/// write. The node runs them through `KVStore.cas` at start, every heartbeat period and on
/// shutdown; it owns the timers. Times are Unix milliseconds; ring timestamps whole seconds.
public struct RingLifecycler: Sendable {
    public var instanceID: String
    public var addr: String
    public var zone: String
    public var numTokens: Int

    public init(instanceID: String, addr: String, zone: String = "", numTokens: Int) {
        (self.instanceID, self.addr, self.zone, self.numTokens) = (instanceID, addr, zone, numTokens)
    }

    /// Start: an absent instance is added PENDING with no tokens and registered now; a present
    /// one keeps its registration and read-only state, JOINING becomes PENDING, LEAVING becomes
    /// ACTIVE with its tokens trimmed or topped up to `numTokens`; id, address and zone are
    /// rewritten and the timestamp bumped when anything changed.
    public func register<R: RandomNumberGenerator>(_ ring: RingDesc?, nowMillis: Int64,
                                                   using random: inout R) -> RingDesc {
        var desc = ring ?? RingDesc()
        let now = RingDesc.unixSeconds(millis: nowMillis)
        guard var instance = desc.instances[instanceID], instance.state != .left else {
            desc.instances[instanceID] = InstanceDesc(addr: addr, timestamp: now, state: .pending, zone: zone,
                                                      registeredTimestamp: now, id: instanceID)
            return desc
        }
        let before = instance
        switch instance.state {
        case .joining:
            instance.state = .pending
        case .leaving:
            instance.state = .active
            instance.tokens = fitTokens(instance.tokens, in: desc, using: &random)
        default:
            break
        }
        instance.id = instanceID
        instance.addr = addr
        instance.zone = zone
        if instance != before { instance.timestamp = now }
        desc.instances[instanceID] = instance
        return desc
    }

    /// Joining after `join_after` while PENDING: `numTokens` new tokens not taken by others,
    /// then ACTIVE. Other states are left alone (nil: nothing to write).
    public func join<R: RandomNumberGenerator>(_ ring: RingDesc?, nowMillis: Int64, using random: inout R) -> RingDesc? {
        guard var desc = ring, var instance = desc.instances[instanceID], instance.state == .pending else { return nil }
        instance.tokens = fitTokens(instance.tokens, in: desc, using: &random)
        instance.state = .active
        instance.timestamp = RingDesc.unixSeconds(millis: nowMillis)
        desc.instances[instanceID] = instance
        return desc
    }

    /// Heartbeat: the own entry rewritten with timestamp = now, keeping the state and the
    /// tokens the ring holds now; a missing entry comes back registered now with `state`.
    public func heartbeat(_ ring: RingDesc?, state: InstanceState, nowMillis: Int64) -> RingDesc {
        var desc = ring ?? RingDesc()
        let now = RingDesc.unixSeconds(millis: nowMillis)
        var instance = desc.instances[instanceID].flatMap { $0.state == .left ? nil : $0 }
            ?? InstanceDesc(state: state, registeredTimestamp: now)
        instance.addr = addr
        instance.zone = zone
        instance.id = instanceID
        instance.state = state
        instance.timestamp = now
        desc.instances[instanceID] = instance
        return desc
    }

    /// Shutdown, first step: LEAVING (heartbeats go on with this state).
    public func leave(_ ring: RingDesc?, nowMillis: Int64) -> RingDesc {
        heartbeat(ring, state: .leaving, nowMillis: nowMillis)
    }

    /// Shutdown with `unregister_on_shutdown`: the entry is removed from the CAS result, which
    /// the local-CAS merge turns into a LEFT tombstone.
    public func unregister(_ ring: RingDesc?) -> RingDesc? {
        guard var desc = ring, desc.instances[instanceID] != nil else { return nil }
        desc.instances[instanceID] = nil
        return desc
    }

    /// Keeps the first `numTokens` of `tokens`, topping up with new random tokens not owned by
    /// any instance of `ring`.
    private func fitTokens<R: RandomNumberGenerator>(_ tokens: [UInt32], in ring: RingDesc,
                                                     using random: inout R) -> [UInt32] {
        let kept = Array(tokens.sorted().prefix(max(numTokens, 0)))
        guard kept.count < numTokens else { return kept }
        var taken = Set<UInt32>()
        for instance in ring.instances.values { taken.formUnion(instance.tokens) }
        taken.formUnion(kept)
        let added = RingTokenGenerator.generate(count: numTokens - kept.count, taken: taken, using: &random)
        return (kept + added).sorted()
    }
}
