import COpenSSL
import CShims

/// An OpenSSL `SSL_CTX` built once from a `TLSConfiguration` (ARCHITECTURE.md:
/// "SSL_CTX built once from the config") and shared by every connection that
/// uses it, client or server.
///
/// `reload` rebuilds the context from the files (certificate rotation without a
/// restart). Connections already running keep the old context: each `SSL`
/// holds its own reference, so the old `SSL_CTX` lives until they end.
///
/// Resumption (issue 14): client sessions live in `sessions`, server tickets are
/// encrypted with ticket keys that outlive reloads (every rebuilt `SSL_CTX` shares
/// them) and that the owner rotates with ``rotateTicketKeys()``. A reload forgets
/// both the sessions and every ticket key: after a CA or certificate change nothing
/// authenticated under the old files resumes. Confined to the loop thread like
/// everything it is used with.
public final class TLSContext {
    public private(set) var configuration: TLSConfiguration
    private(set) var context: OpaquePointer
    /// Client sessions by peer, for resumption (capacity 0 when the client never resumes).
    let sessions: TLSSessionCache
    /// Server ticket keys (`cshims_ticket_keys`), made when tickets are first enabled.
    private var ticketKeys: OpaquePointer?
    /// The files as they were when last loaded (or tried), and a change seen once.
    private var loadedFiles: TLSFileFingerprint
    private var changedFiles: TLSFileFingerprint?

    public init(configuration: TLSConfiguration) throws(TLSError) {
        self.configuration = configuration
        loadedFiles = TLSFileFingerprint(of: configuration)
        sessions = TLSSessionCache(capacity: configuration.sessionCacheCapacity)
        let keys = try Self.ticketKeys(configuration, existing: nil)
        ticketKeys = keys
        do {
            context = try Self.build(configuration, ticketKeys: keys)
        } catch {
            cshims_ticket_keys_release(keys)
            throw error
        }
    }

    deinit {
        SSL_CTX_free(context)
        cshims_ticket_keys_release(ticketKeys)
    }

    /// Rebuilds from `configuration` (or the current one, re-reading its
    /// files). On failure the previous context stays in use (and the files as
    /// they are now are remembered, so ``reloadIfFilesChanged()`` does not try
    /// them again until they change). On success no earlier session or ticket
    /// resumes.
    public func reload(_ configuration: TLSConfiguration? = nil) throws(TLSError) {
        let next = configuration ?? self.configuration
        loadedFiles = TLSFileFingerprint(of: next)
        changedFiles = nil
        let keys = try Self.ticketKeys(next, existing: ticketKeys)
        ticketKeys = keys
        let rebuilt = try Self.build(next, ticketKeys: keys)
        if let keys, cshims_ticket_keys_reset(keys) != 1 {
            SSL_CTX_free(rebuilt)
            throw TLSError.drainingQueue(operation: "reset session ticket keys")
        }
        sessions.removeAll()
        SSL_CTX_free(context)
        context = rebuilt
        self.configuration = next
    }

    /// Reloads when the certificate, key or CA files changed since the last load and
    /// then stayed the same for one more call, so a writer that replaces them one by
    /// one (or rewrites one in place) is not caught half way. True when it reloaded;
    /// throws what ``reload(_:)`` throws.
    public func reloadIfFilesChanged() throws(TLSError) -> Bool {
        let current = TLSFileFingerprint(of: configuration)
        guard current != loadedFiles else {
            changedFiles = nil
            return false
        }
        guard current == changedFiles else {
            changedFiles = current
            return false
        }
        try reload()
        return true
    }

    /// Server tickets: the current key becomes the previous one (its tickets still
    /// resume, renewed) and a new key encrypts. Call about every
    /// `sessionTicketLifetime`. No effect without tickets.
    public func rotateTicketKeys() throws(TLSError) {
        guard let ticketKeys else { return }
        guard cshims_ticket_keys_rotate(ticketKeys) == 1 else {
            throw TLSError.drainingQueue(operation: "rotate session ticket keys")
        }
    }

    /// Client sessions kept for resumption now (for tests and metrics).
    public var cachedSessionCount: Int { sessions.count }

    /// The existing keys, new ones when `configuration` first enables tickets, or nil.
    private static func ticketKeys(_ configuration: TLSConfiguration, existing: OpaquePointer?)
        throws(TLSError) -> OpaquePointer? {
        guard existing == nil, configuration.sessionTicketLifetime > .zero else { return existing }
        guard let keys = cshims_ticket_keys_create() else {
            throw TLSError.drainingQueue(operation: "create session ticket keys")
        }
        return keys
    }

    private static func build(_ configuration: TLSConfiguration, ticketKeys: OpaquePointer?)
        throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_method()) else {
            throw TLSError.drainingQueue(operation: "SSL_CTX_new")
        }
        do {
            try configure(context, configuration, ticketKeys: configuration.sessionTicketLifetime > .zero ? ticketKeys : nil)
            return context
        } catch {
            SSL_CTX_free(context)
            throw error
        }
    }

    private static func configure(_ context: OpaquePointer, _ configuration: TLSConfiguration,
                                  ticketKeys: OpaquePointer?) throws(TLSError) {
        cshims_ssl_ctx_set_nonblocking_modes(context)
        // Tickets only for clients that can resume (issue 14): dskit's Go client keeps no
        // session cache (dskit-kv-ring.md §1), and a ticket per packet connection cost it
        // about 120 allocations per TLS 1.3 packet (docs/benchmarks.md).
        let lifetime = configuration.sessionTicketLifetime.components.seconds
        guard cshims_ssl_ctx_set_resumption(
            context, ticketKeys, Int(max(1, lifetime)), configuration.sessionCacheCapacity > 0 ? 1 : 0) == 1
        else { throw TLSError.drainingQueue(operation: "set up session resumption") }
        if configuration.minimumVersion < .tls1_2 {
            SSL_CTX_set_security_level(context, 0)
        }
        guard cshims_ssl_ctx_set_min_proto(context, cshims_tls_version(Int32(configuration.minimumVersion.rawValue))) == 1
        else { throw TLSError.drainingQueue(operation: "set minimum version") }
        if let maximum = configuration.maximumVersion {
            guard cshims_ssl_ctx_set_max_proto(context, cshims_tls_version(Int32(maximum.rawValue))) == 1
            else { throw TLSError.drainingQueue(operation: "set maximum version") }
        }
        if let list = configuration.cipherList, SSL_CTX_set_cipher_list(context, list) != 1 {
            throw TLSError.drainingQueue(operation: "set cipher list", fallback: "no usable cipher in \"\(list)\"")
        }
        if let suites = configuration.cipherSuites, SSL_CTX_set_ciphersuites(context, suites) != 1 {
            throw TLSError.drainingQueue(operation: "set TLS 1.3 cipher suites", fallback: "bad suites \"\(suites)\"")
        }
        if !configuration.applicationProtocols.isEmpty {
            var wire: [UInt8] = []
            for name in configuration.applicationProtocols {
                guard (1...255).contains(name.utf8.count) else {
                    throw TLSError(operation: "set ALPN", reasons: ["protocol name \"\(name)\" is not 1...255 bytes"])
                }
                wire.append(UInt8(name.utf8.count))
                wire.append(contentsOf: name.utf8)
            }
            guard cshims_ssl_ctx_set_alpn(context, wire, UInt32(wire.count)) == 1 else {
                throw TLSError.drainingQueue(operation: "set ALPN")
            }
        }
        if let certificate = configuration.certificateFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw TLSError.drainingQueue(operation: "load certificate \(certificate)", file: certificate)
            }
            guard let key = configuration.keyFile else {
                throw TLSError(operation: "load key", reasons: ["certificate given without a key file"])
            }
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw TLSError.drainingQueue(operation: "load key \(key)", file: key)
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw TLSError.drainingQueue(operation: "match key \(key) to certificate \(certificate)", file: certificate)
            }
        } else if configuration.keyFile != nil {
            throw TLSError(operation: "load certificate", reasons: ["key file given without a certificate file"])
        }
        if let ca = configuration.caFile {
            guard SSL_CTX_load_verify_locations(context, ca, nil) == 1 else {
                throw TLSError.drainingQueue(operation: "load CA \(ca)", file: ca)
            }
            if configuration.requireClientCertificate {
                guard let names = SSL_load_client_CA_file(ca) else {
                    throw TLSError.drainingQueue(operation: "read client CA names from \(ca)", file: ca)
                }
                SSL_CTX_set_client_CA_list(context, names)
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw TLSError.drainingQueue(operation: "load system CA roots")
            }
        }
        ERR_clear_error()
    }
}
