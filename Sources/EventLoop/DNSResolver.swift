import CAres
import CShims
import Glibc

/// Asynchronous DNS on the event loop through c-ares (ARCHITECTURE.md, "DNS").
///
/// c-ares opens its own UDP/TCP sockets; `ARES_OPT_SOCK_STATE_CB` tells us
/// which ones to watch, and the loop calls `ares_process_fd` when they are
/// ready. c-ares' retransmit and timeout deadlines (`ares_timeout`) run on one
/// loop timer that calls `ares_process_fd` with no descriptor. Nothing blocks
/// and no thread is started. (Debian's c-ares 1.18 has no `ares_process_fds`.)
///
/// Confined to the loop's thread like the loop itself. Completions run on
/// the loop, always after the call that started the lookup has returned (c-ares
/// answers some lookups, such as /etc/hosts hits, before it returns). Call
/// ``close()`` to cancel every lookup; deinit does it too.
public final class DNSResolver {
    /// Where the configuration comes from.
    public struct Options: Sendable, Hashable {
        /// The resolv.conf to read (servers, `search`, `ndots`, `options
        /// timeout: attempts:`); `nameserver ip:port` is accepted too.
        public var resolvConfPath: String

        public init(resolvConfPath: String = "/etc/resolv.conf") {
            self.resolvConfPath = resolvConfPath
        }
    }

    public let loop: EventLoop
    public let options: Options
    private var channel: ares_channel?
    private var sockets: [Int32: EventLoop.Watch] = [:]
    private var deadline: TimerID?

    /// c-ares' process-wide setup (a no-op on Linux, but required before a channel).
    private static let libraryStatus: Int32 = ares_library_init(ARES_LIB_INIT_ALL)

    /// Reads `options.resolvConfPath` (see `ResolvConfOverrides` for what c-ares
    /// 1.18 misses there) and /etc/hosts the way c-ares does. An
    /// unreadable resolv.conf is an error here: c-ares itself would silently
    /// fall back to a server on 127.0.0.1.
    public init(loop: EventLoop, options: Options = Options()) throws(DNSError) {
        self.loop = loop
        self.options = options
        guard Self.libraryStatus == ARES_SUCCESS else {
            throw DNSError(.setup, name: "", reason: "ares_library_init: \(Self.text(Self.libraryStatus))")
        }
        let overrides = ResolvConfOverrides(try Self.read(options.resolvConfPath))

        var aresOptions = ares_options()
        let path = strdup(options.resolvConfPath)
        // Files first, then DNS, whatever nsswitch.conf says (Go's default order).
        let lookups = strdup("fb")
        defer {
            free(path)
            free(lookups)
        }
        aresOptions.resolvconf_path = path
        aresOptions.timeout = Int32(clamping: overrides.timeout.components.seconds * 1000)
        aresOptions.tries = Int32(overrides.attempts)
        aresOptions.lookups = lookups
        aresOptions.sock_state_cb = { data, fd, readable, writable in
            guard let data else { return }
            let resolver = Unmanaged<DNSResolver>.fromOpaque(data).takeUnretainedValue()
            resolver.socketStateChanged(fd, readable: readable != 0, writable: writable != 0)
        }
        aresOptions.sock_state_cb_data = Unmanaged.passUnretained(self).toOpaque()
        let mask = ARES_OPT_RESOLVCONF | ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES
        var created: ares_channel?
        let status = ares_init_options(&created, &aresOptions, mask)
        guard status == ARES_SUCCESS, let created else {
            throw DNSError(.setup, name: "", reason: "ares_init_options: \(Self.text(status))")
        }
        channel = created
        if let servers = overrides.serversWithPorts {
            let csv = servers.joined(separator: ",")
            let status = ares_set_servers_ports_csv(created, csv)
            guard status == ARES_SUCCESS else {
                close()
                throw DNSError(.setup, name: "", reason: "nameserver \(csv) in \(options.resolvConfPath): \(Self.text(status))")
            }
        }
    }

    deinit { close() }

    /// Cancels every lookup (their completions get `.cancelled`) and closes
    /// c-ares' sockets. Later lookups fail with `.cancelled`.
    public func close() {
        guard let channel else { return }
        self.channel = nil
        if let deadline { loop.cancel(deadline) }
        deadline = nil
        // ares_destroy reports each socket closed (state callback) and each query
        // cancelled (ARES_EDESTRUCTION) before it returns.
        ares_destroy(channel)
        for (_, watch) in sockets { loop.unwatch(watch) }
        sockets.removeAll()
    }

    // MARK: lookups

    /// Every A and AAAA address of `name` (hosts file first, then DNS with
    /// resolv.conf's search list), each with `port`, duplicates removed.
    /// NXDOMAIN and "no such record" give an empty list, not an error.
    public func lookupAddresses(
        _ name: String, port: UInt16, completion: @escaping (Result<[SocketAddress], DNSError>) -> Void
    ) {
        guard let channel else {
            loop.execute { _ in completion(.failure(DNSError(.cancelled, name: name, reason: "resolver closed"))) }
            return
        }
        let query = AddressQuery(name: name, port: port, loop: loop, completion: completion)
        var hints = ares_addrinfo_hints()
        hints.ai_family = AF_UNSPEC
        // No RFC 6724 sorting: c-ares would open a probe socket per address behind
        // the loop's back, and dskit uses the addresses unordered anyway.
        hints.ai_flags = ARES_AI_NOSORT
        ares_getaddrinfo(channel, name, nil, &hints, { arg, status, _, info in
            guard let arg else { return }
            let query = Unmanaged<AddressQuery>.fromOpaque(arg).takeRetainedValue()
            query.finish(status: status, info: info)
            if let info { ares_freeaddrinfo(info) }
        }, Unmanaged.passRetained(query).toOpaque())
        armDeadline()
    }

    /// The SRV records of `name` (resolv.conf's search list applies).
    /// NXDOMAIN and "no SRV records" give an empty list, not an error.
    public func lookupService(
        _ name: String, completion: @escaping (Result<[DNSServiceRecord], DNSError>) -> Void
    ) {
        guard let channel else {
            loop.execute { _ in completion(.failure(DNSError(.cancelled, name: name, reason: "resolver closed"))) }
            return
        }
        let query = ServiceQuery(name: name, loop: loop, completion: completion)
        ares_search(channel, name, Self.classInternet, Self.typeSRV, { arg, status, _, answer, length in
            guard let arg else { return }
            let query = Unmanaged<ServiceQuery>.fromOpaque(arg).takeRetainedValue()
            query.finish(status: status, answer: answer, length: length)
        }, Unmanaged.passRetained(query).toOpaque())
        armDeadline()
    }

    /// Sockets c-ares currently has open (for tests: all closed after `close()`).
    public var openSocketCount: Int { sockets.count }

    // MARK: c-ares on the loop

    private func socketStateChanged(_ fd: Int32, readable: Bool, writable: Bool) {
        var interest: IOInterest = []
        if readable { interest.insert(.read) }
        if writable { interest.insert(.write) }
        if interest.isEmpty {
            // c-ares closes the socket right after this call.
            if let watch = sockets.removeValue(forKey: fd) { loop.unwatch(watch) }
            return
        }
        do {
            if let watch = sockets[fd] {
                try loop.setInterest(interest, for: watch)
            } else {
                sockets[fd] = try loop.watch(fd, interest: interest) { [weak self] events in
                    self?.socketReady(fd, events)
                }
            }
        } catch {
            // Unwatched, the query cannot see its answer: c-ares' own timeout
            // (the loop timer below) ends it with ARES_ETIMEOUT.
        }
    }

    private func socketReady(_ fd: Int32, _ events: IOEvents) {
        guard let channel else { return }
        // An error or hangup is read by c-ares' next recv on the socket.
        let read = events.isDisjoint(with: [.readable, .error, .hangup]) ? ARES_SOCKET_BAD : fd
        let write = events.contains(.writable) ? fd : ARES_SOCKET_BAD
        ares_process_fd(channel, read, write)
        armDeadline()
    }

    /// Points the loop timer at c-ares' next deadline (none when idle).
    private func armDeadline() {
        if let deadline { loop.cancel(deadline) }
        deadline = nil
        guard let channel else { return }
        var wait = timeval()
        guard let next = ares_timeout(channel, nil, &wait) else { return }
        let delay = Duration.seconds(Int64(next.pointee.tv_sec)) + .microseconds(Int64(next.pointee.tv_usec))
        deadline = loop.schedule(after: delay) { [weak self] _ in
            guard let self, let channel = self.channel else { return }
            self.deadline = nil
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD)
            self.armDeadline()
        }
    }

    // MARK: support

    private static let classInternet: Int32 = 1  // C_IN
    private static let typeSRV: Int32 = 33  // T_SRV

    static func text(_ status: Int32) -> String {
        ares_strerror(status).map { String(cString: $0) } ?? "c-ares status \(status)"
    }

    /// The status of a finished query as a result: not-found is an empty answer.
    static func outcome(_ status: Int32, name: String) -> DNSError?? {
        switch status {
        case ARES_SUCCESS: return .some(nil)
        case ARES_ENOTFOUND, ARES_ENODATA: return nil
        case ARES_ETIMEOUT: return .some(DNSError(.timeout, name: name, reason: text(status)))
        case ARES_EDESTRUCTION, ARES_ECANCELLED: return .some(DNSError(.cancelled, name: name, reason: text(status)))
        default: return .some(DNSError(.failed, name: name, reason: text(status)))
        }
    }

    private static func read(_ path: String) throws(DNSError) -> String {
        guard let file = fopen(path, "r") else {
            throw DNSError(.setup, name: "", reason: "cannot read \(path): \(SystemError(syscall: "fopen", errno: cshims_errno()).message)")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// One A+AAAA lookup in flight; c-ares holds it retained until its callback.
private final class AddressQuery {
    let name: String
    let port: UInt16
    let loop: EventLoop
    let completion: (Result<[SocketAddress], DNSError>) -> Void

    init(name: String, port: UInt16, loop: EventLoop, completion: @escaping (Result<[SocketAddress], DNSError>) -> Void) {
        self.name = name
        self.port = port
        self.loop = loop
        self.completion = completion
    }

    func finish(status: Int32, info: UnsafeMutablePointer<ares_addrinfo>?) {
        let result: Result<[SocketAddress], DNSError>
        switch DNSResolver.outcome(status, name: name) {
        case .some(.some(let error)): result = .failure(error)
        case .none: result = .success([])
        case .some(.none): result = .success(addresses(info))
        }
        let completion = self.completion
        loop.execute { _ in completion(result) }
    }

    private func addresses(_ info: UnsafeMutablePointer<ares_addrinfo>?) -> [SocketAddress] {
        var found: [SocketAddress] = []
        var node = info?.pointee.nodes
        while let current = node {
            node = current.pointee.ai_next
            guard let socketAddress = current.pointee.ai_addr else { continue }
            var storage = sockaddr_storage()
            let length = min(Int(current.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: socketAddress, count: length)) }
            var raw = cshims_addr()
            cshims_addr_from_sockaddr(&storage, &raw)
            raw.port = port
            if let address = SocketAddress(raw), !found.contains(address) { found.append(address) }
        }
        return found
    }
}

/// One SRV lookup in flight; c-ares holds it retained until its callback.
private final class ServiceQuery {
    let name: String
    let loop: EventLoop
    let completion: (Result<[DNSServiceRecord], DNSError>) -> Void

    init(name: String, loop: EventLoop, completion: @escaping (Result<[DNSServiceRecord], DNSError>) -> Void) {
        self.name = name
        self.loop = loop
        self.completion = completion
    }

    func finish(status: Int32, answer: UnsafeMutablePointer<UInt8>?, length: Int32) {
        let result: Result<[DNSServiceRecord], DNSError>
        switch DNSResolver.outcome(status, name: name) {
        case .some(.some(let error)): result = .failure(error)
        case .none: result = .success([])
        case .some(.none): result = parse(answer, length: length)
        }
        let completion = self.completion
        loop.execute { _ in completion(result) }
    }

    private func parse(_ answer: UnsafeMutablePointer<UInt8>?, length: Int32) -> Result<[DNSServiceRecord], DNSError> {
        var replies: UnsafeMutablePointer<ares_srv_reply>?
        let status = ares_parse_srv_reply(answer, length, &replies)
        defer { if let replies { ares_free_data(replies) } }
        switch DNSResolver.outcome(status, name: name) {
        case .some(.some(let error)): return .failure(error)
        case .none: return .success([])
        case .some(.none): break
        }
        var records: [DNSServiceRecord] = []
        var reply = replies
        while let current = reply {
            reply = current.pointee.next
            guard let host = current.pointee.host else { continue }
            var target = String(cString: host)
            if target.hasSuffix(".") { target.removeLast() }
            records.append(DNSServiceRecord(target: target, port: current.pointee.port,
                                            priority: current.pointee.priority, weight: current.pointee.weight))
        }
        return .success(records)
    }
}
