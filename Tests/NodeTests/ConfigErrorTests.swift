import Config
import Testing

/// Every error form is one line naming the flag, the value and what is valid.
@Suite struct ConfigErrorTests {
    private func message(_ arguments: [String]) -> String? {
        do {
            _ = try NodeConfig.parse(arguments)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func badDuration() {
        #expect(message(["-memberlist.gossip-interval=abc"])
            == "invalid value \"abc\" for flag -memberlist.gossip-interval: expected a duration such as 200ms or 1s")
        #expect(message(["-memberlist.stream-timeout=-1s"])
            == "invalid value \"-1s\" for flag -memberlist.stream-timeout: expected a duration such as 200ms or 1s")
    }

    @Test func badIntegers() {
        #expect(message(["-memberlist.bind-port=70000"])
            == "invalid value \"70000\" for flag -memberlist.bind-port: expected an integer from 0 to 65535")
        #expect(message(["-memberlist.gossip-nodes=0"])
            == "invalid value \"0\" for flag -memberlist.gossip-nodes: expected an integer >= 1")
        #expect(message(["-memberlist.retransmit-factor", "x"])
            == "invalid value \"x\" for flag -memberlist.retransmit-factor: expected an integer >= 1")
    }

    @Test func enabledPropagationTrackerNeedsABeaconInterval() {
        #expect(message(["-memberlist.propagation-delay-tracker.enabled=true",
                         "-memberlist.propagation-delay-tracker.beacon-interval=0s"])
            == "invalid value \"0s\" for flag -memberlist.propagation-delay-tracker.beacon-interval: "
            + "expected a positive duration such as 1m while the tracker is enabled")
        #expect(message(["-memberlist.propagation-delay-tracker.beacon-interval=0s"]) == nil, "off: not checked")
    }

    @Test func badBoolean() {
        #expect(message(["-memberlist.tls-enabled=yes"])
            == "invalid value \"yes\" for flag -memberlist.tls-enabled: expected a boolean (true or false)")
    }

    @Test func badChoices() {
        #expect(message(["-memberlist.transport=quic"])
            == "invalid value \"quic\" for flag -memberlist.transport: expected one of tcp, udp")
        #expect(message(["-log.level=verbose"])
            == "invalid value \"verbose\" for flag -log.level: expected one of debug, info, warn, error")
        #expect(message(["-memberlist.tls-min-version=TLS1.2"])
            == "invalid value \"TLS1.2\" for flag -memberlist.tls-min-version: expected one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13")
    }

    @Test func badAddresses() {
        #expect(message(["-memberlist.bind-addr=localhost"])
            == "invalid value \"localhost\" for flag -memberlist.bind-addr: expected IP addresses such as 0.0.0.0, 10.0.0.1 or ::")
        #expect(message(["-memberlist.advertise-addr=10.0.0"])
            == "invalid value \"10.0.0\" for flag -memberlist.advertise-addr: expected an IP address such as 10.0.0.1 or fd00::1")
    }

    @Test func badJoinEntriesNameTheValidForms() {
        #expect(message(["-memberlist.join=dnsa+memberlist.ns.svc:7946"])
            == "invalid value \"dnsa+memberlist.ns.svc:7946\" for flag -memberlist.join: expected [name/]host[:port], dns+host:port, dnssrv+_service._proto.name[:port] or dnssrvnoa+_service._proto.name[:port] (IPv6 literals in brackets); unknown prefix dnsa+")
        #expect(message(["-memberlist.join=dns+memberlist.ns.svc"])
            == "invalid value \"dns+memberlist.ns.svc\" for flag -memberlist.join: expected dns+host:port (the port is mandatory)")
        #expect(message(["-memberlist.join=dnssrv+_m._tcp.x:0"])
            == "invalid value \"dnssrv+_m._tcp.x:0\" for flag -memberlist.join: expected dnssrv+_service._proto.name[:port] (bad port)")
        #expect(message(["-memberlist.join=10.0.0.1:99999"])
            == "invalid value \"10.0.0.1:99999\" for flag -memberlist.join: expected [name/]host[:port] (bad port)")
    }

    @Test func unknownAndMissing() {
        #expect(message(["-memberlist.gossip-intervall=1s"])
            == "unknown flag -memberlist.gossip-intervall: see -help for the accepted flags")
        #expect(message(["-memberlist.join"]) == "flag -memberlist.join needs a value: use -memberlist.join=VALUE or -memberlist.join VALUE")
        #expect(message(["join"]) == "unexpected argument \"join\": memberlistd takes only flags (see -help)")
        #expect(message(["---x"]) == "unexpected argument \"---x\": memberlistd takes only flags (see -help)")
    }

    @Test func inconsistentCombinations() {
        #expect(message(["-memberlist.tls-cert-path=/c"])
            == "invalid flag -memberlist.tls-key-path: certificate and key must be given together")
        #expect(message(["-memberlist.transport=udp", "-memberlist.tls-enabled"])
            == "invalid flag -memberlist.tls-enabled: TLS needs the tcp transport (-memberlist.transport=tcp)")
        #expect(message(["-memberlist.tls-enabled", "-memberlist.tls-require-client-cert",
                         "-memberlist.tls-cert-path=/c", "-memberlist.tls-key-path=/k"])
            == "invalid flag -memberlist.tls-require-client-cert: needs -memberlist.tls-ca-path to verify client certificates")
        #expect(message(["-memberlist.probe-interval=100ms", "-memberlist.probe-timeout=1s"])
            == "invalid flag -memberlist.probe-timeout: 1s is longer than the probe interval 100ms")
        #expect(message(["-memberlist.min-join-backoff=2m"])
            == "invalid flag -memberlist.max-join-backoff: must not be shorter than -memberlist.min-join-backoff")
        let long = String(repeating: "x", count: 256)
        #expect(message(["-memberlist.cluster-label=\(long)"])
            == "invalid value \"\(long)\" for flag -memberlist.cluster-label: expected a label of at most 255 bytes")
        // Peers refuse names over 255 bytes; the random suffix takes 9 of them.
        let name = String(repeating: "n", count: 247)
        #expect(message(["-memberlist.nodename=\(name)"])
            == "invalid value \"\(name)\" for flag -memberlist.nodename: expected a name of at most 246 bytes (peers accept 255; -memberlist.randomize-node-name adds 9)")
        #expect(message(["-memberlist.nodename=\(name)", "-memberlist.randomize-node-name=false"]) == nil)
        #expect(message(["-memberlist.nodename=\(name)n\(name)", "-memberlist.randomize-node-name=false"])
            == "invalid value \"\(name)n\(name)\" for flag -memberlist.nodename: expected a name of at most 255 bytes")
    }
}

/// The keyring file format of -memberlist.encryption-key-file.
@Suite struct EncryptionKeyFileTests {
    @Test func hexAndBase64PrimaryFirst() throws {
        let text = "# keyring\n000102030405060708090a0b0c0d0e0f\n\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n"
        let keys = try EncryptionKeyFile.parse(text, path: "/k")
        #expect(keys.count == 2)
        #expect(keys[0] == Array(0...15))
        #expect(keys[1] == Array(0...31))
    }

    @Test func twentyFourByteKeyInBase64() throws {
        // 24 bytes of 0xff: base64 is 32 characters, not hex.
        let keys = try EncryptionKeyFile.parse(String(repeating: "/", count: 32), path: "/k")
        #expect(keys == [[UInt8](repeating: 0xff, count: 24)])
    }

    @Test func errors() {
        #expect(throws: ConfigError.inconsistent(flag: "memberlist.encryption-key-file",
                                                 reason: "line 1 of /k holds a 3-byte key; expected 16, 24 or 32 bytes")) {
            try EncryptionKeyFile.parse("010203", path: "/k")
        }
        #expect(throws: ConfigError.inconsistent(flag: "memberlist.encryption-key-file",
                                                 reason: "line 2 of /k is neither hex nor base64")) {
            try EncryptionKeyFile.parse("000102030405060708090a0b0c0d0e0f\nnot a key!", path: "/k")
        }
        #expect(throws: ConfigError.inconsistent(flag: "memberlist.encryption-key-file", reason: "/k holds no key")) {
            try EncryptionKeyFile.parse("\n# nothing\n", path: "/k")
        }
    }
}
