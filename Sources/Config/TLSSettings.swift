/// dskit's memberlist TLS block (dskit-kv-ring.md §1): one configuration for
/// listener and dialer, TLS around the whole connection; plus our opt-in
/// `requireClientCertificate` (dskit never checks client certificates).
/// The one TLS settings type: flags fill it and the dskit transport takes it as is
/// (Transport's `tlsConfiguration()` turns it into the event loop's `TLSConfiguration`).
public struct TLSSettings: Hashable, Sendable {
    public var enabled = false
    /// Certificate and key: the client certificate and also the server certificate.
    public var certificatePath = ""
    public var keyPath = ""
    /// Roots that verify the peer; empty = system roots.
    public var caPath = ""
    /// Expected server name; empty = the dialled IP (certificates need IP SANs).
    public var serverName = ""
    public var insecureSkipVerify = false
    /// Go cipher suite names (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); empty = library defaults.
    public var cipherSuites: [String] = []
    /// `VersionTLS10`...`VersionTLS13`, or empty for the library default.
    public var minVersion = ""
    /// Servers request and verify a client certificate against `caPath`.
    public var requireClientCertificate = false
    /// Ours (issue 14): offer and accept persistent packet connections between
    /// memberlistd nodes (negotiated by ALPN, so Go peers never get them).
    public var persistentConnections = true
    /// Ours: peers whose newest TLS session the client keeps to resume the next
    /// handshake with; 0 = never resume.
    public var sessionCacheSize = 256
    /// Ours: how often the certificate, key and CA files are checked for changes (a
    /// change is applied once unchanged for one more check); zero = only on SIGHUP.
    public var reloadInterval: Duration = .seconds(10)

    public init(enabled: Bool = false, certificatePath: String = "", keyPath: String = "", caPath: String = "",
                serverName: String = "", insecureSkipVerify: Bool = false, cipherSuites: [String] = [],
                minVersion: String = "", requireClientCertificate: Bool = false, persistentConnections: Bool = true,
                sessionCacheSize: Int = 256, reloadInterval: Duration = .seconds(10)) {
        self.enabled = enabled
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.caPath = caPath
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
        self.cipherSuites = cipherSuites
        self.minVersion = minVersion
        self.requireClientCertificate = requireClientCertificate
        self.persistentConnections = persistentConnections
        self.sessionCacheSize = sessionCacheSize
        self.reloadInterval = reloadInterval
    }

    /// The Go names `-memberlist.tls-min-version` accepts.
    public static let minVersionNames = ["VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13"]
}
