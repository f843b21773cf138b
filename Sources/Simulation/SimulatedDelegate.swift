import KV
import Membership
import Wire

/// The membership delegate of one simulated node. It collects opaque user messages
/// (type 8, memberlist-wire.md §3.6) as the core hands them over, so the adapter can report
/// them and decide, by `UserMessageRelay`, which to relay. When the node runs dskit's KV
/// store it is also that store's delegate, as `CoreDelegate` is the node's
/// (dskit-kv-ring.md 3.3–3.6): user messages that are `KeyValuePair`s are merged, push/pull
/// carries `LocalState`, packets piggyback the local then the gossip queue. A message that
/// is no valid KV update stays an opaque user message, as on a running node.
final class SimulatedDelegate: MembershipDelegate {
    var messages: [[UInt8]] = []
    /// dskit's KV store; nil on a bare memberlist node.
    var kv: KVStore?
    /// Unix milliseconds of the call in progress: the virtual clock on a fixed epoch
    /// (`MembershipNode.wallClockMillis`), so ring timestamps are whole virtual seconds.
    var nowMillis: Int64 = 0
    /// Set when a merge changed the store (the adapter disseminates at once under eager
    /// dissemination, as `GossipNode.flushKV` does).
    var kvChanged = false
    /// The transmit limit follows the live member count, as dskit's queues use memberlist's.
    weak var core: MembershipCore?

    func notifyUserMessage(_ message: [UInt8]) {
        switch kv?.receive(message: message[...], nowMillis: nowMillis) {
        case .changed?: kvChanged = true
        case .unchanged?: break
        case .invalid?, nil: messages.append(message)
        }
    }

    func localState(join: Bool) -> [UInt8] {
        kv?.localState() ?? []
    }

    func mergeRemoteState(_ state: [UInt8], join: Bool) {
        guard let summary = kv?.mergeRemoteState(state, nowMillis: nowMillis) else { return }
        if !summary.changedKeys.isEmpty { kvChanged = true }
    }

    func broadcasts(overhead: Int, limit: Int, into messages: inout [Message]) -> Int {
        guard let queued = kv?.queues, queued.local.count + queued.gossip.count > 0 else { return 0 }
        return kv?.queues.take(overhead: overhead, limit: limit, nodeCount: core?.aliveCount ?? 1, into: &messages) ?? 0
    }

    var hasUnsentBroadcasts: Bool { kv?.queues.hasUnsent ?? false }
}
