import Wire

/// Hooks for application state carried by memberlist (memberlist's
/// `Delegate` and `PingDelegate`): dskit's KV store plugs in here. All
/// methods are called synchronously on the core's thread; defaults do nothing.
public protocol MembershipDelegate: AnyObject {
    /// Raw user state to append to an outgoing push/pull (§4.2).
    func localState(join: Bool) -> [UInt8]
    /// Merge a peer's raw user state from a push/pull (called when non-empty).
    func mergeRemoteState(_ state: [UInt8], join: Bool)
    /// A user message (type 8) arrived by packet; `message` excludes the type byte.
    func notifyUserMessage(_ message: [UInt8])
    /// memberlist's `GetBroadcasts(overhead, limit)`: append user messages (`.user`) to
    /// piggyback on a packet, each costing `overhead` plus its body length, all within
    /// `limit` bytes; return the bytes used. Called after memberlist's own queue, before
    /// the core's opaque user queue (§7.2).
    func broadcasts(overhead: Int, limit: Int, into messages: inout [Message]) -> Int
    /// Whether `broadcasts` holds messages never sent yet (eager dissemination, issue #11).
    var hasUnsentBroadcasts: Bool { get }
    /// Payload to put in acks answering pings (PingDelegate.AckPayload).
    func ackPayload() -> [UInt8]?
    /// An ack for one of our direct probes arrived (PingDelegate.NotifyPingComplete).
    func notifyPingComplete(node: Member, roundTripNanoseconds: Int64, payload: [UInt8]?)
}

extension MembershipDelegate {
    public func localState(join: Bool) -> [UInt8] { [] }
    public func mergeRemoteState(_ state: [UInt8], join: Bool) {}
    public func notifyUserMessage(_ message: [UInt8]) {}
    public func broadcasts(overhead: Int, limit: Int, into messages: inout [Message]) -> Int { 0 }
    public var hasUnsentBroadcasts: Bool { false }
    public func ackPayload() -> [UInt8]? { nil }
    public func notifyPingComplete(node: Member, roundTripNanoseconds: Int64, payload: [UInt8]?) {}
}
