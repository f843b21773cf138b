import Config
import EventLoop
import Membership
import Transport

/// A node running on its own event-loop thread, usable from any thread or
/// task (the Swift API of memberlistd). Every call is handed to the loop
/// through the node's command queue; events arrive on `events`.
public final class NodeHandle: Sendable {
    /// Membership changes and user messages, in the order the node saw them.
    public let events: AsyncStream<NodeEvent>
    /// The node's name in the cluster.
    public let name: String
    /// Where peers reach the node ("ip:port").
    public let advertisedAddress: String
    private let loop: EventLoopHandle
    private let commands: LoopMailbox<NodeCommand>

    private init(events: AsyncStream<NodeEvent>, name: String, advertisedAddress: String,
                 loop: EventLoopHandle, commands: LoopMailbox<NodeCommand>) {
        self.events = events
        self.name = name
        self.advertisedAddress = advertisedAddress
        self.loop = loop
        self.commands = commands
    }

    /// Starts a loop thread and a node on it (bound, announced, ticking).
    /// Join separately with `join(_:)`.
    public static func start(_ config: NodeConfig, logger: Logger) async throws -> NodeHandle {
        let loop: EventLoopHandle
        do { loop = try EventLoop.startThread(name: "memberlist") } catch { throw NodeError.shutDown }
        let (events, continuation) = AsyncStream.makeStream(of: NodeEvent.self)
        do {
            let (name, address, commands) = try await loop.submit { loop in
                let node = try GossipNode(config: config, loop: loop, logger: logger)
                node.onEvent = { continuation.yield($0) }
                try node.start()
                return (node.name, "\(node.advertisedAddress)", node.commands)
            }
            return NodeHandle(events: events, name: name, advertisedAddress: address, loop: loop,
                              commands: commands)
        } catch {
            continuation.finish()
            loop.stop()
            loop.join()
            throw error
        }
    }

    /// Joins through `-memberlist.join` entries (`JoinSeed` forms); names are resolved on the loop with c-ares.
    public func join(_ addresses: [String]) async -> JoinOutcome {
        await withCheckedContinuation { continuation in
            let posted = commands.post(.join(addresses, reply: { continuation.resume(returning: $0) }))
            if !posted { continuation.resume(returning: JoinOutcome(successes: 0, failures: ["node shut down"])) }
        }
    }

    /// Leaves gracefully; true when the leave message was fully broadcast before `timeout`.
    public func leave(timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let posted = commands.post(.leave(timeout: timeout, reply: { continuation.resume(returning: $0) }))
            if !posted { continuation.resume(returning: false) }
        }
    }

    /// Every known member, this node included.
    public func members() async -> [Member] {
        await withCheckedContinuation { continuation in
            let posted = commands.post(.members(reply: { continuation.resume(returning: $0) }))
            if !posted { continuation.resume(returning: []) }
        }
    }

    /// The node's drop and traffic counters.
    public func counters() async -> NodeCounters {
        await withCheckedContinuation { continuation in
            let posted = commands.post(.counters(reply: { continuation.resume(returning: $0) }))
            if !posted { continuation.resume(returning: NodeCounters()) }
        }
    }

    /// The transport's connection and packet counters (dskit's metric meanings).
    public func transportCounters() async -> TransportCounters {
        await withCheckedContinuation { continuation in
            let posted = commands.post(.transportCounters(reply: { continuation.resume(returning: $0) }))
            if !posted { continuation.resume(returning: TransportCounters()) }
        }
    }

    /// Queues a user broadcast for every member.
    public func broadcast(_ payload: [UInt8]) {
        commands.post(.broadcast(payload))
    }

    /// Stops the node and its loop thread (without leaving: call `leave` first).
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let posted = commands.post(.shutdown(reply: { continuation.resume() }))
            if !posted { continuation.resume() }
        }
        loop.stop()
        loop.join()
    }
}
