import Config
import Membership
import Testing
import Wire

/// Defaults of dskit-kv-ring.md §8 and the settings each transport forces (§1).
@Suite struct ConfigDefaultsTests {
    @Test func noFlagsGivesDskitDefaults() throws {
        let config = try NodeConfig.parse([])
        #expect(config.transport == .tcp)
        #expect(config.randomizeNodeName)
        #expect(config.bindPort == 7946 && config.advertisePort == 7946)
        #expect(config.bindAddress == IPAddress(0, 0, 0, 0))
        #expect(config.advertiseAddress == nil)
        #expect(config.joinMembers.isEmpty)
        #expect(config.membership.gossipInterval == .milliseconds(200))
        #expect(config.membership.gossipNodes == 3)
        #expect(config.membership.pushPullInterval == .seconds(30))
        #expect(config.membership.retransmitMult == 4)
        #expect(config.membership.gossipToTheDeadTime == .seconds(30))
        #expect(config.membership.deadNodeReclaimTime == .zero)
        #expect(config.membership.enableCompression)
        #expect(config.membership.label == "")
        #expect(config.streamTimeout == .seconds(2))
        #expect(config.packetWriters == PacketWriterSettings())
        #expect(config.packetWriters.dialTimeout == .seconds(2))
        #expect(config.packetWriters.writeTimeout == .seconds(5))
        #expect(config.packetWriters.maxConcurrentWrites == 3)
        #expect(config.packetWriters.acquireWriterTimeout == .milliseconds(250))
        #expect(config.leaveTimeout == .seconds(20))
        #expect(config.tls == TLSSettings())
        #expect(config.encryptionKeyFile == nil)
        #expect(config.logLevel == .info)
        #expect(config.stdinCommands == false)
    }

    @Test func tcpTransportForcesDskitMemberlistSettings() throws {
        let config = try NodeConfig.parse(["-memberlist.stream-timeout=3s"])
        #expect(config.membership.probeInterval == .seconds(5))
        #expect(config.membership.probeTimeout == .seconds(2))
        #expect(config.membership.disableTcpPings)
        #expect(config.membership.udpBufferSize == 10 * 1024 * 1024)
        #expect(config.membership.tcpTimeout == .seconds(3))
    }

    @Test func udpTransportUsesLANDefaults() throws {
        let config = try NodeConfig.parse(["-memberlist.transport=udp"])
        let lan = MembershipConfig.lan
        #expect(config.membership.probeInterval == lan.probeInterval)
        #expect(config.membership.probeTimeout == lan.probeTimeout)
        #expect(config.membership.disableTcpPings == false)
        #expect(config.membership.udpBufferSize == 1400)
        #expect(config.membership.tcpTimeout == .seconds(10))
        let explicit = try NodeConfig.parse(["-memberlist.transport=udp", "-memberlist.stream-timeout=4s"])
        #expect(explicit.membership.tcpTimeout == .seconds(4))
    }

    @Test func ourTimingOverrides() throws {
        let config = try NodeConfig.parse([
            "-memberlist.probe-interval=300ms", "-memberlist.probe-timeout=100ms", "-memberlist.suspicion-mult=3",
        ])
        #expect(config.membership.probeInterval == .milliseconds(300))
        #expect(config.membership.probeTimeout == .milliseconds(100))
        #expect(config.membership.suspicionMult == 3)
    }

    @Test func labelsTLSAndMisc() throws {
        let config = try NodeConfig.parse([
            "-memberlist.cluster-label=prod", "-memberlist.tls-enabled", "-memberlist.tls-cert-path=/c",
            "-memberlist.tls-key-path=/k", "-memberlist.tls-ca-path=/ca", "-memberlist.tls-server-name=node",
            "-memberlist.tls-cipher-suites=TLS_A,TLS_B", "-memberlist.tls-min-version=VersionTLS13",
            "-memberlist.tls-require-client-cert", "-log.level=debug", "-memberlistd.stdin-commands",
            "-memberlist.encryption-key-file=/keys", "-memberlist.max-concurrent-writes=-2",
            "-memberlist.advertise-addr=10.1.2.3", "-memberlist.advertise-port=8000", "-memberlist.bind-addr=::",
        ])
        #expect(config.membership.label == "prod")
        #expect(config.tls.enabled && config.tls.requireClientCertificate)
        #expect(config.tls.cipherSuites == ["TLS_A", "TLS_B"])
        #expect(config.tls.minVersion == "VersionTLS13")
        #expect(config.tls.serverName == "node")
        #expect(config.logLevel == .debug)
        #expect(config.stdinCommands)
        #expect(config.encryptionKeyFile == "/keys")
        #expect(config.packetWriters.maxConcurrentWrites == 1)
        #expect(config.advertiseAddress == IPAddress(10, 1, 2, 3))
        #expect(config.advertisePort == 8000)
        #expect(config.bindAddress.count == 16)
    }

    @Test func nodeNameRandomization() throws {
        let randomized = try NodeConfig.parse(["-memberlist.nodename=ingester"])
            .resolvingNodeName(hostname: "host", randomSuffix: 0x00ab_12cd)
        #expect(randomized.membership.name == "ingester-00ab12cd")
        let fromHost = try NodeConfig.parse([]).resolvingNodeName(hostname: "host", randomSuffix: 0xdead_beef)
        #expect(fromHost.membership.name == "host-deadbeef")
        let fixed = try NodeConfig.parse(["-memberlist.nodename=a", "-memberlist.randomize-node-name=false"])
            .resolvingNodeName(hostname: "host", randomSuffix: 1)
        #expect(fixed.membership.name == "a")
    }
}
