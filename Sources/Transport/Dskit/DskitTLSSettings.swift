import EventLoop

/// dskit's TLS settings for the memberlist TCP transport (`tls_enabled` and
/// the client-TLS block, dskit-kv-ring.md §1), plus an opt-in that dskit
/// lacks: servers that demand and verify client certificates.
///
/// One context serves the listener and the dialer. The certificate is both the
/// server and the client certificate; `caPath` verifies the peer (system roots
/// when empty); without `serverName` the dialled IP must be an IP SAN.
public struct DskitTLSSettings: Sendable, Equatable {
    /// `tls_enabled`: wrap every connection (marker byte inside TLS).
    public var enabled: Bool
    /// `tls_cert_path`
    public var certPath: String
    /// `tls_key_path`
    public var keyPath: String
    /// `tls_ca_path`
    public var caPath: String
    /// `tls_server_name`
    public var serverName: String
    /// `tls_insecure_skip_verify`
    public var insecureSkipVerify: Bool
    /// `tls_cipher_suites`: comma-separated Go names.
    public var cipherSuites: String
    /// `tls_min_version`: "" (TLS 1.2, Go's client default) or VersionTLS10|11|12|13.
    public var minVersion: String
    /// Ours, off by default as in dskit: the listener requests a client
    /// certificate and rejects connections without one signed by `caPath`.
    public var requireClientCertificates: Bool

    public init(
        enabled: Bool = false, certPath: String = "", keyPath: String = "", caPath: String = "",
        serverName: String = "", insecureSkipVerify: Bool = false, cipherSuites: String = "",
        minVersion: String = "", requireClientCertificates: Bool = false
    ) {
        self.enabled = enabled
        self.certPath = certPath
        self.keyPath = keyPath
        self.caPath = caPath
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
        self.cipherSuites = cipherSuites
        self.minVersion = minVersion
        self.requireClientCertificates = requireClientCertificates
    }

    /// Maps `tls_min_version` (dskit accepts Go's constant names).
    public static func parseMinVersion(_ text: String) throws(TransportError) -> TLSConfiguration.Version {
        switch text {
        case "": return .tls1_2
        case "VersionTLS10": return .tls1_0
        case "VersionTLS11": return .tls1_1
        case "VersionTLS12": return .tls1_2
        case "VersionTLS13": return .tls1_3
        default: throw .invalidTLSMinVersion(text)
        }
    }

    /// Validates the settings and builds the event loop's TLS configuration.
    public func tlsConfiguration() throws(TransportError) -> TLSConfiguration {
        guard certPath.isEmpty == keyPath.isEmpty else { throw .incompleteTLSKeyPair }
        let minimum = try Self.parseMinVersion(minVersion)
        let cipherList = try GoCipherSuiteNames.openSSLCipherList(fromGoNames: cipherSuites)
        return TLSConfiguration(
            certificateFile: certPath.isEmpty ? nil : certPath,
            keyFile: keyPath.isEmpty ? nil : keyPath,
            caFile: caPath.isEmpty ? nil : caPath,
            serverName: serverName.isEmpty ? nil : serverName,
            insecureSkipVerify: insecureSkipVerify,
            cipherList: cipherList,
            minimumVersion: minimum,
            requireClientCertificate: requireClientCertificates)
    }
}
