/// Settings an `SSL_CTX` is built from, mirroring what dskit's TLS flags
/// expose (cert/key/CA paths, server name, insecure skip verify, cipher
/// suites, minimum version) plus opt-in client-certificate checking.
public struct TLSConfiguration: Sendable, Equatable {
    /// Protocol versions, ordered.
    public enum Version: Int, Sendable, Comparable, CaseIterable {
        case tls1_0 = 0, tls1_1 = 1, tls1_2 = 2, tls1_3 = 3

        public static func < (lhs: Version, rhs: Version) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// PEM certificate chain presented to the peer (needed by servers).
    public var certificateFile: String?
    /// PEM private key for `certificateFile`.
    public var keyFile: String?
    /// PEM CA bundle used to verify the peer; the system roots when nil.
    public var caFile: String?
    /// Name the server certificate must carry (and SNI). When nil, a client
    /// checks the peer's IP against the certificate's IP SANs instead.
    public var serverName: String?
    /// Client side: accept any server certificate (Go's InsecureSkipVerify).
    public var insecureSkipVerify: Bool
    /// OpenSSL cipher string for TLS 1.2 and older (SSL_CTX_set_cipher_list).
    public var cipherList: String?
    /// TLS 1.3 suites, colon separated (SSL_CTX_set_ciphersuites).
    public var cipherSuites: String?
    /// Lowest version negotiated. Below TLS 1.2 the OpenSSL security level is
    /// lowered to 0, which is what allowing those versions requires.
    public var minimumVersion: Version
    /// Highest version negotiated; nil means the newest OpenSSL supports.
    public var maximumVersion: Version?
    /// Server side: demand a client certificate signed by `caFile`.
    public var requireClientCertificate: Bool
    /// ALPN (RFC 7301), both sides of the one context: a client offers these, a
    /// server selects the first of them its client also offers and otherwise
    /// goes on without ALPN, so peers that offer nothing are served as before.
    public var applicationProtocols: [String]
    /// Client: peers whose newest session is kept to resume the next handshake with
    /// (``TLSSessionCache``); 0 = never resume (issue 14).
    public var sessionCacheCapacity: Int
    /// Server: how long the session tickets it issues are valid; zero = none. Tickets go
    /// only to clients that offer one of `applicationProtocols` (to every client when
    /// that is empty): a client that cannot resume would only pay for them. The owner
    /// calls ``TLSContext/rotateTicketKeys()`` about this often.
    public var sessionTicketLifetime: Duration

    public init(
        certificateFile: String? = nil,
        keyFile: String? = nil,
        caFile: String? = nil,
        serverName: String? = nil,
        insecureSkipVerify: Bool = false,
        cipherList: String? = nil,
        cipherSuites: String? = nil,
        minimumVersion: Version = .tls1_2,
        maximumVersion: Version? = nil,
        requireClientCertificate: Bool = false,
        applicationProtocols: [String] = [],
        sessionCacheCapacity: Int = 0,
        sessionTicketLifetime: Duration = .zero
    ) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.caFile = caFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
        self.cipherList = cipherList
        self.cipherSuites = cipherSuites
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.requireClientCertificate = requireClientCertificate
        self.applicationProtocols = applicationProtocols
        self.sessionCacheCapacity = sessionCacheCapacity
        self.sessionTicketLifetime = sessionTicketLifetime
    }
}
