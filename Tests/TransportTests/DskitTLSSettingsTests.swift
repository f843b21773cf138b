import Config
import EventLoop
import Testing
@testable import Transport
import Wire

/// dskit's TLS flags (dskit-kv-ring.md §1): Go cipher names, min version names.
@Suite struct TLSSettingsTests {
    @Test func mapsGoCipherSuiteNamesToOpenSSL() throws {
        let settings = TLSSettings(
            enabled: true,
            cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"],
            minVersion: "VersionTLS12")
        let configuration = try settings.tlsConfiguration()
        #expect(configuration.cipherList == "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305")
        #expect(configuration.minimumVersion == .tls1_2)
    }

    /// Every mapped name of a suite OpenSSL 3 still ships is one OpenSSL accepts
    /// (a misspelt mapping would make SSL_CTX_set_cipher_list fail).
    @Test func everyMappedSecureSuiteIsKnownToOpenSSL() throws {
        let usable = GoCipherSuiteNames.openSSLName.filter { name, mapped in
            mapped != nil && !name.contains("RC4") && !name.contains("3DES")
        }
        #expect(usable.count == 17)  // 14 from tls.CipherSuites(), 3 CBC-SHA256 from InsecureCipherSuites()
        for (name, _) in usable {
            let configuration = try TLSSettings(enabled: true, cipherSuites: [name]).tlsConfiguration()
            #expect(throws: Never.self, "\(name)") { _ = try TLSContext(configuration: configuration) }
        }
    }

    @Test func unknownCipherSuiteIsAClearError() {
        let settings = TLSSettings(enabled: true, cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-SHA"])
        #expect(throws: TransportError.unknownCipherSuite("ECDHE-RSA-AES128-SHA")) { try settings.tlsConfiguration() }
        #expect(TransportError.unknownCipherSuite("X").description.contains("unknown cipher suite \"X\""))
    }

    @Test(arguments: [("VersionTLS10", TLSConfiguration.Version.tls1_0), ("VersionTLS11", .tls1_1),
                      ("VersionTLS12", .tls1_2), ("VersionTLS13", .tls1_3), ("", .tls1_2)])
    func parsesMinVersionNames(name: String, expected: TLSConfiguration.Version) throws {
        #expect(try TLSSettings.minimumVersion(named: name) == expected)
    }

    @Test(arguments: ["TLS12", "VersionTLS14", "versiontls12", "1.2"])
    func badMinVersionIsAClearError(name: String) {
        #expect(throws: TransportError.invalidTLSMinVersion(name)) { try TLSSettings.minimumVersion(named: name) }
        #expect(TransportError.invalidTLSMinVersion(name).description.contains("VersionTLS13"))
    }

    @Test func certificateWithoutKeyIsRejected() {
        let settings = TLSSettings(enabled: true, certificatePath: "/x/node.pem")
        #expect(throws: TransportError.incompleteTLSKeyPair) { try settings.tlsConfiguration() }
    }

    @Test func transportRefusesToStartWithBadTLSSettings() async throws {
        let errors: [TransportError] = try await onFreshLoop { (loop, _, finish: @escaping ([TransportError]) -> Void) in
            var errors: [TransportError] = []
            for tls in [TLSSettings(enabled: true, cipherSuites: ["NOT_A_SUITE"]),
                        TLSSettings(enabled: true, minVersion: "VersionSSL30")] {
                do {
                    _ = try DskitTransport(loop: loop, configuration: DskitTransportConfiguration(
                        bindAddresses: [IPAddress(127, 0, 0, 1)], bindPort: 0, tls: tls))
                } catch let error as TransportError {
                    errors.append(error)
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
            finish(errors)
        }
        #expect(errors == [TransportError.unknownCipherSuite("NOT_A_SUITE"), TransportError.invalidTLSMinVersion("VersionSSL30")])
    }
}
