import Membership

/// The membership delegate of one simulated node: it collects user messages
/// (type 8, memberlist-wire.md §3.6) as the core hands them over so the
/// adapter can report them and decide, by `UserMessageRelay`, which to relay.
final class UserMessageInbox: MembershipDelegate {
    var messages: [[UInt8]] = []

    func notifyUserMessage(_ message: [UInt8]) {
        messages.append(message)
    }
}
