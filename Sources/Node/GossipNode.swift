import Config
import EventLoop
import Glibc
import KV
import Membership
import MonotonicTime
import Transport
import Wire

/// A running memberlist node: the membership core driven from one event loop
/// (ARCHITECTURE.md, "The event loop owns the hot path"). Confined to the
/// loop's thread: create it there, call it there; other threads use
/// `NodeHandle`. Every core input is followed by executing its effects:
/// packets are encoded through the Wire packet pipeline into reused buffers,
/// timers go to one loop timer, streams run push/pull, fallback pings and
/// user messages, events go to `onEvent`.
public final class GossipNode {
    public let config: NodeConfig
    public let loop: EventLoop
    public let logger: Logger
    let transport: any NodeTransport
    let core: MembershipCore
    let security: PacketSecurity
    let coreDelegate: CoreDelegate
    let commands: LoopMailbox<NodeCommand>
    private var commandWatch: EventLoop.Watch?

    /// Called on the loop for every event, in order.
    public var onEvent: ((NodeEvent) -> Void)?
    public internal(set) var counters = NodeCounters()

    // Effects: the core appends to `effects`; `drain()` executes them.
    var effects: [MembershipEffect] = []
    var effectBatch: [MembershipEffect] = []
    var draining = false

    // Timers: every core timer in one queue behind one loop timer.
    var timerQueue = CoreTimerQueue()
    var dueTimers: [MembershipTimer] = []
    var armedTimer: (deadline: Int64, id: TimerID)?
    var timerCallback: ((EventLoop) -> Void)?

    // Reused encode buffers (steady state: no allocation per packet).
    var messageScratch = WireBuffer(capacity: 64 * 1024)
    var packetOut = WireBuffer(capacity: 64 * 1024)
    var packetWorkspace = PacketWorkspace()
    /// Caps how much inbound packets inflate, per packet and over time (issue #12).
    var inflationBudget: InflationBudget
    /// The same for stream messages (push/pull replies and requests), up to 40 MiB each.
    var streamInflationBudget: InflationBudget

    // User messages that are not KV updates.
    var relay = UserMessageRelay()
    var pendingRelays: [[UInt8]] = []

    // dskit's KV store as memberlist's delegate (GossipNode+KV.swift).
    var kv: KVStore
    var kvWatchHandlers: [KVWatchers.ID: ([String]) -> Void] = [:]
    /// Set when the store changed during a core call; `flushKV` acts on it.
    var kvChanged = false
    var kvNotifyTimer: TimerID?
    var kvSweepTimer: TimerID?
    /// This node's own ring instance, when `-memberlistd.ring.key` is set (GossipNode+Ring.swift).
    var ringRegistration: RingRegistration?
    /// dskit's propagation delay tracker, when enabled (GossipNode+PropagationTracker.swift).
    var propagationTracker: PropagationDelayTracker?
    var propagationTimer: TimerID?

    // Operations and streams in flight.
    var joinCompletions: [OperationID: (JoinOutcome) -> Void] = [:]
    var leaveCompletions: [OperationID: (Bool) -> Void] = [:]
    var joinRetryTimer: TimerID?
    var rejoinTimer: TimerID?
    var departure: Departure?
    /// Join entries to addresses, with c-ares on this loop (dskit's DNS provider).
    let joinAddresses: JoinAddressProvider
    var exchanges: [ObjectIdentifier: StreamExchange] = [:]
    var inboundStreams: [ObjectIdentifier: InboundStreamHandler] = [:]
    public private(set) var isShutDown = false
    /// The TLS file check (GossipNode+TLS.swift) and its callback, made once.
    var tlsReloadTimer: TimerID?
    var tlsReloadCheck: (EventLoop) -> Void = { _ in }

    /// Binds the transport and builds the core. The node name is
    /// `config.membership.name` if set, else resolved from `-memberlist.nodename`
    /// or the hostname (plus a random suffix when randomizing).
    public convenience init(config: NodeConfig, loop: EventLoop, logger: Logger) throws(NodeError) {
        try self.init(config: config, loop: loop, logger: logger) { (config) throws(TransportError) in
            try TransportFactory.make(config, loop: loop)
        }
    }

    /// As above with the transport built by `makeTransport` (tests inject one).
    init(config: NodeConfig, loop: EventLoop, logger: Logger,
         makeTransport: (NodeConfig) throws(TransportError) -> any NodeTransport) throws(NodeError) {
        var config = config
        var generator = SystemRandomNumberGenerator()
        if config.membership.name.isEmpty {
            config = config.resolvingNodeName(hostname: Self.hostname(),
                                              randomSuffix: UInt32(truncatingIfNeeded: generator.next()))
        }
        if let path = config.encryptionKeyFile {
            config.membership.secretKeys = try KeyringLoader.load(path: path)
        }
        let keyring: Keyring?
        if config.membership.secretKeys.isEmpty {
            keyring = nil
        } else {
            do { keyring = try Keyring(keys: config.membership.secretKeys) } catch {
                throw .keyring(error)
            }
        }
        security = PacketSecurity(
            label: Array(config.membership.label.utf8), keyring: keyring,
            verifyIncoming: config.membership.gossipVerifyIncoming,
            verifyOutgoing: config.membership.gossipVerifyOutgoing,
            skipInboundLabelCheck: config.membership.skipInboundLabelCheck,
            encryptionVersion: config.membership.protocolVersion < 2 ? .padded : .plain,
            compress: config.membership.enableCompression, compressionAlgorithm: config.compressionAlgorithm,
            crc: false)
        do {
            let made = try makeTransport(config)
            transport = config.transportDebug ? TransportDebugLog(wrapping: made, logger: logger) : made
        } catch { throw .transport(error) }
        let started = MonotonicInstant.now().nanoseconds
        inflationBudget = InflationBudget(packetLimit: transport.packetInflationLimit, now: started)
        streamInflationBudget = InflationBudget(packetLimit: WireLimits.maxDecompressedLength, now: started)
        let advertise = NodeAddress(transport.advertisedAddress)
        config.membership.bindPort = advertise.port
        let delegate = CoreDelegate()
        do {
            core = try MembershipCore(config: config.membership, advertise: advertise,
                                      random: SeededRandom(seed: generator.next()), delegate: delegate)
        } catch {
            transport.shutdown()
            throw .membership(error)
        }
        self.config = config
        self.loop = loop
        kv = KVStore(config: Self.kvStoreConfig(config))
        var logger = logger
        logger.baseFields.append(("node", config.membership.name))
        self.logger = logger
        coreDelegate = delegate
        joinAddresses = JoinAddressProvider(loop: loop, resolvConfPath: config.dnsResolvConfPath)
        do { commands = try LoopMailbox() } catch { throw .loop(error) }
        effects.reserveCapacity(64)
        effectBatch.reserveCapacity(64)
        dueTimers.reserveCapacity(16)
        delegate.node = self
    }

    deinit {
        if let commandWatch { loop.unwatch(commandWatch) }
    }

    /// This node's name in the cluster.
    public var name: String { core.name }

    /// Where peers reach this node.
    public var advertisedAddress: SocketAddress { transport.advertisedAddress }

    /// `counters` with the core's queue figures filled in.
    public var countersSnapshot: NodeCounters {
        var snapshot = counters
        snapshot.userBroadcastsDropped = core.userBroadcastsDropped
        snapshot.userBroadcastsQueued = core.queuedBroadcasts.user
        snapshot.userBroadcastBytesQueued = core.queuedUserBroadcastBytes
        return snapshot
    }

    /// Every known member, this node included, in probe order.
    public var members: [Member] { core.allMembers }

    /// Members currently alive or suspect (not dead or left), self included.
    public var liveMembers: [Member] { core.allMembers.filter { !$0.isDeadOrLeft } }

    /// Lifeguard's local health (awareness) score; 0 is healthy (dskit's
    /// `cluster_node_health_score`).
    public var healthScore: Int { core.healthScore }

    /// The transport's counters (dskit's metric meanings).
    public var transportCounters: TransportCounters { transport.counters }

    /// Wires the transport to the node, announces this node and starts the
    /// probe, gossip and push/pull tickers.
    public func start() throws(NodeError) {
        transport.onPacket = { [weak self] packet in self?.packetArrived(packet) }
        transport.onStream = { [weak self] stream in self?.streamAccepted(stream) }
        timerCallback = { [weak self] _ in self?.timersFired() }
        do {
            // The watch keeps the node alive while it runs; shutdown() removes it.
            commandWatch = try loop.receive(from: commands) { command in self.run(command) }
        } catch {
            throw .loop(error)
        }
        core.start(at: MonotonicInstant.now(), into: &effects)
        drain()
        startKV()
        startTLSReloadChecks()
        logger.info("node started", ("transport", config.transport.rawValue),
                    ("advertise", "\(transport.advertisedAddress)"))
    }

    /// Stops timers and the transport; in-flight streams are closed. Leave first
    /// for a graceful exit.
    public func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        cancelClusterJoin()
        if let armedTimer { loop.cancel(armedTimer.id) }
        armedTimer = nil
        timerQueue.removeAll()
        stopKVTimers()
        stopTLSReloadChecks()
        transport.onPacket = nil
        transport.onStream = nil
        transport.shutdown()
        for (_, exchange) in exchanges { exchange.abort() }
        exchanges.removeAll()
        for (_, handler) in inboundStreams { handler.close() }
        inboundStreams.removeAll()
        joinAddresses.close()
        if let commandWatch { loop.unwatch(commandWatch) }
        commandWatch = nil
        for command in commands.close() { answerClosed(command) }
        // A stopped node reports nothing more: dropping the caller's handlers ends the
        // reference cycles they form when they capture the node or its owner.
        for id in Array(kvWatchHandlers.keys) { kvUnwatch(id) }
        onEvent = nil
        logger.info("node stopped")
    }

    static func hostname() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let status = buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return Int32(-1) }
            return gethostname(base.assumingMemoryBound(to: CChar.self), raw.count - 1)
        }
        guard status == 0 else { return "localhost" }
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[0..<length], as: UTF8.self)
    }
}
