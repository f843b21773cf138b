import Membership
import Wire

/// The core's delegate (memberlist's Delegate): hands user messages, push/pull state and
/// the packet budget for broadcasts to the node, which runs dskit's KV store behind them
/// (dskit-kv-ring.md 3). Separate from the node so the core does not own its owner.
final class CoreDelegate: MembershipDelegate {
    weak var node: GossipNode?

    func notifyUserMessage(_ message: [UInt8]) {
        node?.userMessageArrived(message)
    }

    func localState(join: Bool) -> [UInt8] {
        node?.kvLocalState() ?? []
    }

    func mergeRemoteState(_ state: [UInt8], join: Bool) {
        node?.kvMergeRemoteState(state)
    }

    func broadcasts(overhead: Int, limit: Int, into messages: inout [Message]) -> Int {
        node?.kvBroadcasts(overhead: overhead, limit: limit, into: &messages) ?? 0
    }

    var hasUnsentBroadcasts: Bool { node?.kv.queues.hasUnsent ?? false }
}
