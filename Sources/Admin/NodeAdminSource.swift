import KV
import Membership
import Node

/// Serves a `GossipNode` to the admin pages and `/metrics`: members and counters, and from
/// the node's KV store its keys, message history and rings (`GossipNode.status()`).
/// Loop thread only.
public final class NodeAdminSource: AdminSource {
    private unowned let node: GossipNode
    public var isReady: Bool
    /// Extra rings to show and measure besides the node's KV store (tests inject models).
    public var ringProvider: () -> [RingView] = { [] }

    /// `ready` is the initial `/ready` answer: true when there is no join list.
    public init(node: GossipNode, ready: Bool) {
        self.node = node
        self.isReady = ready
    }

    public func pageModel() -> AdminPageModel {
        let status = node.status()
        let members = node.members.map {
            AdminPageModel.Member(name: $0.name, address: "\($0.address)", state: $0.state.rawValue,
                                  incarnation: $0.incarnation)
        }
        let history = status.historyEnabled
            ? AdminPageModel.History(received: status.receivedMessages.map(Self.message),
                                     sent: status.sentMessages.map(Self.message))
            : nil
        return AdminPageModel(nodeName: node.name, healthScore: node.healthScore, members: members,
                              kvEntries: status.keys, history: history, rings: rings())
    }

    public func metrics() -> NodeMetricsSnapshot {
        NodeMetricsSnapshot(node: node.countersSnapshot, transport: node.transportCounters,
                            liveMembers: node.liveMembers.count, healthScore: node.healthScore, kv: node.kvClientMetrics())
    }

    public func rings() -> [RingView] {
        let (stored, timeoutMillis) = node.ringValues()
        let timeout = Duration.milliseconds(timeoutMillis)
        return stored.map { RingView(name: RingView.ringName(forKey: $0.key), key: $0.key, desc: $0.desc, heartbeatTimeout: timeout) }
            + ringProvider()
    }

    /// The ring page's "Forget": removes the instance through a CAS, which leaves a LEFT
    /// tombstone that gossips (dskit's forget, dskit-kv-ring.md 5.1 `localCAS`).
    public func forget(ring: String, instance: String) -> Bool {
        guard let known = rings().first(where: { $0.name == ring || $0.key == ring }),
              known.desc.instances[instance] != nil else { return false }
        node.kvCAS(key: known.key, codecID: RingDescCodec.codecID) { value in
            guard var desc = value as? RingDesc else { return nil }
            desc.instances[instance] = nil
            return desc
        }
        return true
    }

    public func deleteMessages() {}

    private static func message(_ entry: KVMessageHistory.Entry) -> AdminPageModel.Message {
        AdminPageModel.Message(id: entry.id, timeMillis: entry.timeMillis, key: entry.pair.key, size: entry.size,
                               codec: entry.pair.codec, version: entry.version, changes: entry.changes,
                               encoded: entry.pair.value)
    }
}
