import Membership
import Node

/// Serves a `GossipNode` as it is today: members and counters; no KV store,
/// so no KV entries and a "history disabled" page. `rings` is where a ring
/// model is injected (tests; the KV store once wired). Loop thread only.
public final class NodeAdminSource: AdminSource {
    private unowned let node: GossipNode
    public var isReady: Bool
    /// The rings to show and measure; empty until a KV store provides them.
    public var ringProvider: () -> [RingView] = { [] }
    /// Called by the ring page's "Forget"; nothing to forget without a KV store.
    public var forgetHandler: (String, String) -> Bool = { _, _ in false }

    /// `ready` is the initial `/ready` answer: true when there is no join list.
    public init(node: GossipNode, ready: Bool) {
        self.node = node
        self.isReady = ready
    }

    public func pageModel() -> AdminPageModel {
        let members = node.members.map {
            AdminPageModel.Member(name: $0.name, address: "\($0.address)", state: $0.state.rawValue,
                                  incarnation: $0.incarnation)
        }
        return AdminPageModel(nodeName: node.name, healthScore: node.healthScore, members: members,
                              rings: ringProvider())
    }

    public func metrics() -> NodeMetricsSnapshot {
        NodeMetricsSnapshot(node: node.countersSnapshot, transport: node.transportCounters,
                            liveMembers: node.liveMembers.count, healthScore: node.healthScore)
    }

    public func rings() -> [RingView] { ringProvider() }

    public func forget(ring: String, instance: String) -> Bool { forgetHandler(ring, instance) }

    public func deleteMessages() {}
}
