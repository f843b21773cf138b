import Membership

/// The membership delegate of one simulated node: it collects user messages
/// (type 8, memberlist-wire.md §3.6) as the core hands them over so the
/// adapter can report them, and remembers which it has seen.
///
/// memberlist itself never re-gossips a user message: each is sent
/// retransmit-limit times by its origin only (§7.2), so it reaches about that
/// many nodes. Applications that need cluster-wide delivery re-queue what is
/// new to them (Serf's user events, dskit's KV merges); `seen` lets the
/// adapter model that.
final class UserMessageInbox: MembershipDelegate {
    var messages: [[UInt8]] = []
    var seen: Set<[UInt8]> = []

    func notifyUserMessage(_ message: [UInt8]) {
        messages.append(message)
    }
}
