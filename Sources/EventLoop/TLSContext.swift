import COpenSSL
import CShims

/// An OpenSSL `SSL_CTX` built once from a `TLSConfiguration` (ARCHITECTURE.md:
/// "SSL_CTX built once from the config") and shared by every connection that
/// uses it, client or server.
///
/// `reload` rebuilds the context from the files (certificate rotation without a
/// restart). Connections already running keep the old context: each `SSL`
/// holds its own reference, so the old `SSL_CTX` lives until they end.
/// Confined to the loop thread like everything it is used with.
public final class TLSContext {
    public private(set) var configuration: TLSConfiguration
    private(set) var context: OpaquePointer

    public init(configuration: TLSConfiguration) throws(TLSError) {
        self.configuration = configuration
        self.context = try Self.build(configuration)
    }

    deinit { SSL_CTX_free(context) }

    /// Rebuilds from `configuration` (or the current one, re-reading its
    /// files). On failure the previous context stays in use.
    public func reload(_ configuration: TLSConfiguration? = nil) throws(TLSError) {
        let next = configuration ?? self.configuration
        let rebuilt = try Self.build(next)
        SSL_CTX_free(context)
        context = rebuilt
        self.configuration = next
    }

    private static func build(_ configuration: TLSConfiguration) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_method()) else {
            throw TLSError.drainingQueue(operation: "SSL_CTX_new")
        }
        do {
            try configure(context, configuration)
            return context
        } catch {
            SSL_CTX_free(context)
            throw error
        }
    }

    private static func configure(_ context: OpaquePointer, _ configuration: TLSConfiguration) throws(TLSError) {
        cshims_ssl_ctx_set_nonblocking_modes(context)
        // No resumption: dskit's Go client keeps no session cache and every dskit packet is
        // a new connection (dskit-kv-ring.md §1), so tickets and cached sessions were pure
        // cost (about 120 allocations per TLS 1.3 packet, docs/benchmarks.md).
        guard cshims_ssl_ctx_disable_resumption(context) == 1 else {
            throw TLSError.drainingQueue(operation: "disable session tickets")
        }
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
                throw TLSError.drainingQueue(operation: "load certificate \(certificate)")
            }
            guard let key = configuration.keyFile else {
                throw TLSError(operation: "load key", reasons: ["certificate given without a key file"])
            }
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw TLSError.drainingQueue(operation: "load key \(key)")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw TLSError.drainingQueue(operation: "match key to certificate")
            }
        } else if configuration.keyFile != nil {
            throw TLSError(operation: "load certificate", reasons: ["key file given without a certificate file"])
        }
        if let ca = configuration.caFile {
            guard SSL_CTX_load_verify_locations(context, ca, nil) == 1 else {
                throw TLSError.drainingQueue(operation: "load CA \(ca)")
            }
            if configuration.requireClientCertificate {
                guard let names = SSL_load_client_CA_file(ca) else {
                    throw TLSError.drainingQueue(operation: "read client CA names from \(ca)")
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
