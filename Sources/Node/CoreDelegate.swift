import Membership

/// The core's delegate (memberlist's Delegate): forwards user messages to the
/// node. Separate from the node so the core does not own its owner.
final class CoreDelegate: MembershipDelegate {
    weak var node: GossipNode?

    func notifyUserMessage(_ message: [UInt8]) {
        node?.userMessageArrived(message)
    }
}
