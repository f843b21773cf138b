/// Command-line settings for one Go peer (flags of Interop/go/peer/main.go).
struct GoPeerOptions: Sendable {
    /// memberlist timings; `fast` suits loopback tests (memberlist-wire.md §8
    /// lists the LAN defaults they replace).
    struct Timing: Sendable {
        var probeInterval: Duration = .milliseconds(300)
        var probeTimeout: Duration = .milliseconds(150)
        var gossipInterval: Duration = .milliseconds(50)
        var pushPullInterval: Duration = .seconds(2)
        var suspicionMult = 3
        /// Above Pyroscope's default 4 on purpose. User messages have no anti-entropy here (dskit
        /// repairs its KV through push/pull; these peers carry no state), so delivery to every node
        /// is a probability: in a 6-node cluster a node sends each message ceil(log10(7)) * factor
        /// times to random peers, and a Monte Carlo of that rule (3 gossip targets per round, every
        /// receiver relays) leaves one given receiver without the message at rate 1.0e-2 for factor
        /// 3, 3.3e-3 for 4, 6e-6 for 8 and none in 3*10^6 for 12. The 6-node suites assert about 30
        /// deliveries per run, so at 4 roughly one run in ten failed on that tail alone.
        /// These tests check that messages cross implementations, not the tail, so they use 12.
        var retransmitMult = 12
        var deadNodeReclaim: Duration = .zero
        var tcpTimeout: Duration = .seconds(2)

        static let fast = Timing()
    }

    /// Which transport the peer uses.
    enum Transport: String, Sendable {
        /// memberlist's own UDP packets + TCP streams.
        case net
        /// dskit's TCP-only transport (dskit-kv-ring.md §1), optionally TLS.
        case dskit
    }

    /// dskit's TLS client block; one config for listener and dialer.
    struct TLS: Sendable {
        var certPath: String?
        var keyPath: String?
        var caPath: String?
        var serverName: String?
        var insecureSkipVerify = false
        /// "VersionTLS12" or "VersionTLS13" (Go names).
        var minVersion: String?
        /// Test only (dskit has no such flag): caps the peer's TLS, e.g. "VersionTLS12".
        var maxVersion: String?
        /// Comma list of Go cipher suite names.
        var cipherSuites: String?
    }

    var name: String
    /// 0 (the default): the kernel picks a free port; read it from `GoPeer.address`.
    var bindPort: Int
    var bindAddr = "127.0.0.1"
    var advertiseAddr: String?
    var advertisePort: Int?
    /// `[name/]host[:port]` entries joined at startup (see `joined`/`join_error`).
    var join: [String] = []
    /// File with a hex or base64 16/24/32-byte key; enables encryption.
    var keyFile: String?
    var protocolVersion: Int?
    var timing = Timing.fast
    var transport = Transport.net
    var tls: TLS?
    /// `ip:port`s whose outgoing packets this peer silently drops.
    var dropPacketsTo: [String] = []
    /// How long Leave may block on SIGTERM / quit.
    var leaveTimeout: Duration = .seconds(3)
    var extraArguments: [String] = []

    init(name: String, bindPort: Int = 0) {
        self.name = name
        self.bindPort = bindPort
    }

    /// The peer's argv (without the program).
    var arguments: [String] {
        var args = [
            "-name", name, "-bind-addr", bindAddr, "-bind-port", String(bindPort),
            "-transport", transport.rawValue,
            "-probe-interval", goDuration(timing.probeInterval),
            "-probe-timeout", goDuration(timing.probeTimeout),
            "-gossip-interval", goDuration(timing.gossipInterval),
            "-pushpull-interval", goDuration(timing.pushPullInterval),
            "-suspicion-mult", String(timing.suspicionMult),
            "-retransmit-mult", String(timing.retransmitMult),
            "-dead-reclaim", goDuration(timing.deadNodeReclaim),
            "-tcp-timeout", goDuration(timing.tcpTimeout),
            "-leave-timeout", goDuration(leaveTimeout),
        ]
        if let advertiseAddr { args += ["-advertise-addr", advertiseAddr] }
        if let advertisePort { args += ["-advertise-port", String(advertisePort)] }
        if !join.isEmpty { args += ["-join", join.joined(separator: ",")] }
        if let keyFile { args += ["-key-file", keyFile] }
        if let protocolVersion { args += ["-protocol-version", String(protocolVersion)] }
        if !dropPacketsTo.isEmpty { args += ["-drop-packets-to", dropPacketsTo.joined(separator: ",")] }
        if let tls {
            args.append("-tls-enabled")
            if let v = tls.certPath { args += ["-tls-cert-path", v] }
            if let v = tls.keyPath { args += ["-tls-key-path", v] }
            if let v = tls.caPath { args += ["-tls-ca-path", v] }
            if let v = tls.serverName { args += ["-tls-server-name", v] }
            if tls.insecureSkipVerify { args.append("-tls-insecure-skip-verify") }
            if let v = tls.minVersion { args += ["-tls-min-version", v] }
            if let v = tls.maxVersion { args += ["-tls-max-version", v] }
            if let v = tls.cipherSuites { args += ["-tls-cipher-suites", v] }
        }
        return args + extraArguments
    }
}

/// Go's time.ParseDuration syntax, in whole microseconds ("150000us").
func goDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return "\(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)us"
}
