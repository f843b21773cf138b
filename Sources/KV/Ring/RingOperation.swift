/// A ring operation: the states it considers healthy and the states that make the replica
/// set grow by one (dskit `ring.Operation`: `Write`, `Read`, `Reporting`;
/// dskit-kv-ring.md 5.2).
public struct RingOperation: Sendable {
    public let healthyStates: Set<InstanceState>
    private let extendsOn: @Sendable (InstanceState) -> Bool

    public init(healthyStates: Set<InstanceState>, extendsOn: @escaping @Sendable (InstanceState) -> Bool) {
        self.healthyStates = healthyStates
        self.extendsOn = extendsOn
    }

    /// Writes go to ACTIVE instances; any other state on the way extends the replica set.
    public static let write = RingOperation(healthyStates: [.active]) { $0 != .active }
    /// Like `write`, never extending.
    public static let writeNoExtend = RingOperation(healthyStates: [.active]) { _ in false }
    /// Reads accept ACTIVE, PENDING and LEAVING; states other than ACTIVE and LEAVING extend.
    public static let read = RingOperation(healthyStates: [.active, .pending, .leaving]) {
        $0 != .active && $0 != .leaving
    }
    /// Health reporting: every state is healthy, nothing extends.
    public static let reporting = RingOperation(
        healthyStates: [.active, .leaving, .pending, .joining, .left]) { _ in false }

    public func shouldExtendReplicaSet(on state: InstanceState) -> Bool { extendsOn(state) }
}

extension InstanceDesc {
    /// Healthy for `operation`: its state is in the operation's set and its last heartbeat is
    /// at most `heartbeatTimeoutSeconds` old (dskit `InstanceDesc.IsHealthy`). A timeout of 0
    /// disables the heartbeat check, as dskit's `IsHeartbeatHealthy` does; dskit's ring
    /// configuration rejects 0, so in practice the check is always on.
    public func isHealthy(for operation: RingOperation, heartbeatTimeoutMillis: Int64, nowMillis: Int64) -> Bool {
        operation.healthyStates.contains(state) && isHeartbeatHealthy(timeoutMillis: heartbeatTimeoutMillis, nowMillis: nowMillis)
    }

    public func isHeartbeatHealthy(timeoutMillis: Int64, nowMillis: Int64) -> Bool {
        if timeoutMillis == 0 { return true }
        let (heartbeat, overflow) = timestamp.multipliedReportingOverflow(by: 1000)
        if overflow { return timestamp > 0 }
        return nowMillis &- heartbeat <= timeoutMillis
    }
}
