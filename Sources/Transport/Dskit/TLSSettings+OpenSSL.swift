import Config
import EventLoop

/// From dskit's TLS settings (dskit-kv-ring.md §1) to the event loop's OpenSSL settings.
extension TLSSettings {
    /// Maps `tls_min_version` (dskit accepts Go's constant names; "" is TLS 1.2, Go's
    /// client default).
    public static func minimumVersion(named text: String) throws(TransportError) -> TLSConfiguration.Version {
        switch text {
        case "": return .tls1_2
        case "VersionTLS10": return .tls1_0
        case "VersionTLS11": return .tls1_1
        case "VersionTLS12": return .tls1_2
        case "VersionTLS13": return .tls1_3
        default: throw .invalidTLSMinVersion(text)
        }
    }

    /// Validates the settings and builds the event loop's TLS configuration: one context
    /// serves listener and dialer, the certificate is both server and client certificate.
    public func tlsConfiguration() throws(TransportError) -> TLSConfiguration {
        guard certificatePath.isEmpty == keyPath.isEmpty else { throw .incompleteTLSKeyPair }
        let minimum = try Self.minimumVersion(named: minVersion)
        let cipherList = try GoCipherSuiteNames.openSSLCipherList(fromGoNames: cipherSuites)
        return TLSConfiguration(
            certificateFile: certificatePath.isEmpty ? nil : certificatePath,
            keyFile: keyPath.isEmpty ? nil : keyPath,
            caFile: caPath.isEmpty ? nil : caPath,
            serverName: serverName.isEmpty ? nil : serverName,
            insecureSkipVerify: insecureSkipVerify,
            cipherList: cipherList,
            minimumVersion: minimum,
            requireClientCertificate: requireClientCertificate)
    }
}
