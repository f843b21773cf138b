import Config
import Membership
import Testing
import Wire

/// Go flag-package syntax and value types (Config target).
@Suite struct FlagParsingTests {
    @Test func equalsAndSpaceFormsAndDoubleDash() throws {
        let config = try NodeConfig.parse([
            "-memberlist.gossip-interval=100ms", "-memberlist.gossip-nodes", "5",
            "--memberlist.retransmit-factor=2", "--memberlist.pullpush-interval", "1m30s",
        ])
        #expect(config.membership.gossipInterval == .milliseconds(100))
        #expect(config.membership.gossipNodes == 5)
        #expect(config.membership.retransmitMult == 2)
        #expect(config.membership.pushPullInterval == .seconds(90))
    }

    @Test func bareBooleansAndExplicitFalse() throws {
        let config = try NodeConfig.parse([
            "-memberlist.randomize-node-name=false", "-memberlist.cluster-label-verification-disabled",
            "-memberlist.compression-enabled=0",
        ])
        #expect(config.randomizeNodeName == false)
        #expect(config.membership.skipInboundLabelCheck)
        #expect(config.membership.enableCompression == false)
    }

    @Test func aBooleanNeverTakesTheNextWord() {
        // Go: `-flag false` sets the flag to true and leaves "false" as a positional argument.
        #expect(throws: ConfigError.unexpectedArgument("false")) {
            try NodeConfig.parse(["-memberlist.tls-enabled", "false"])
        }
    }

    @Test func repeatedJoinAndCommaListsAccumulate() throws {
        let config = try NodeConfig.parse([
            "-memberlist.join=10.0.0.1", "-memberlist.join", "10.0.0.2:8000,node-c/10.0.0.3:7000",
            "-memberlist.join=[fd00::1]:9000",
        ])
        #expect(config.joinMembers.map(\.description) == [
            "10.0.0.1:7946", "10.0.0.2:8000", "node-c/10.0.0.3:7000", "[fd00::1]:9000",
        ])
        #expect(config.joinMembers[2].name == "node-c")
        #expect(config.joinMembers[0].ip == IPAddress(10, 0, 0, 1))
        #expect(config.joinMembers[3].ip?.count == 16)
    }

    @Test func lastValueWinsForScalars() throws {
        let config = try NodeConfig.parse(["-memberlist.bind-port=1", "-memberlist.bind-port=2"])
        #expect(config.bindPort == 2)
    }

    @Test func hostnamesAreKeptForResolution() throws {
        let config = try NodeConfig.parse(["-memberlist.join=seed.example:7000"])
        #expect(config.joinMembers == [JoinSeed(host: "seed.example", port: 7000, ip: nil)])
    }

    @Test func helpIsReported() {
        #expect(throws: ConfigError.helpRequested) { try NodeConfig.parse(["-help"]) }
        #expect(throws: ConfigError.helpRequested) { try NodeConfig.parse(["--h"]) }
        #expect(FlagCatalog.usage.contains("-memberlist.gossip-interval duration"))
        #expect(FlagCatalog.usage.contains("(default 200ms)"))
    }

    @Test func doubleDashEndsFlags() throws {
        let config = try NodeConfig.parse(["-memberlist.bind-port=9", "--"])
        #expect(config.bindPort == 9)
        #expect(throws: ConfigError.unexpectedArgument("x")) { try NodeConfig.parse(["--", "x"]) }
    }
}

/// Go's time.ParseDuration syntax.
@Suite struct GoDurationTests {
    @Test(arguments: [
        ("200ms", Duration.milliseconds(200)), ("1s", .seconds(1)), ("1m30s", .seconds(90)),
        ("1.5h", .seconds(5400)), ("0", .zero), ("0s", .zero), ("250us", .microseconds(250)),
        ("250µs", .microseconds(250)), ("7ns", .nanoseconds(7)), ("2h45m", .seconds(9900)),
        (".5s", .milliseconds(500)), ("1.s", .seconds(1)), ("-1s", .seconds(-1)), ("+3m", .seconds(180)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    /// Fractions round as Go's `f*(unit/scale)` does; every value printed by Go 1.19's
    /// time.ParseDuration on this machine (issue #12: `0.25436s` gave 254,359,999 here).
    @Test(arguments: [
        ("0.25436s", 254_360_000), ("1.1h", 3_960_000_000_000), ("0.3ms", 300_000), ("2.000000001s", 2_000_000_001),
        ("1.00000000000000000001s", 1_000_000_000), (".5m", 30_000_000_000), ("0.1s", 100_000_000),
        ("1.7h", 6_120_000_000_000), ("3.14159265358979323846h", 11_309_733_552_923), ("0.000000001h", 3_600),
        ("1.005ms", 1_005_000),
    ] as [(String, Int64)])
    func fractionsRoundAsGo(text: String, nanoseconds: Int64) {
        #expect(GoDuration.parse(text) == .nanoseconds(nanoseconds))
    }

    @Test(arguments: ["", "abc", "10", "1x", "s", "1.2.3s", "ms", "-", ".s", "1s2", "9999999999999h"])
    func rejects(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    @Test func formatsLikeGo() {
        #expect(GoDuration.format(.milliseconds(200)) == "200ms")
        #expect(GoDuration.format(.seconds(90)) == "1m30s")
        #expect(GoDuration.format(.seconds(3600)) == "1h0m0s")
        #expect(GoDuration.format(.milliseconds(1500)) == "1.5s")
        #expect(GoDuration.format(.zero) == "0s")
    }
}

/// Our own flag for eager dissemination (issue #11) reaches the membership config.
@Suite struct EagerDisseminationFlagTests {
    @Test func flagTurnsEagerDisseminationOn() throws {
        #expect(try NodeConfig.parse([]).membership.eagerDissemination == false)
        #expect(try NodeConfig.parse(["-memberlist.eager-dissemination"]).membership.eagerDissemination == true)
        #expect(try NodeConfig.parse(["-memberlist.eager-dissemination=false"]).membership.eagerDissemination == false)
    }
}
