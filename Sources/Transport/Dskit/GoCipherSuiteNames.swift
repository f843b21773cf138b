/// Go's crypto/tls cipher suite names (what dskit's `tls_cipher_suites`
/// takes, from `tls.CipherSuites()` and `tls.InsecureCipherSuites()`) and the
/// OpenSSL names of the same suites.
///
/// The three TLS 1.3 suites are accepted but, as in Go, do not restrict
/// TLS 1.3 (Go's `Config.CipherSuites` ignores them); they map to nil.
enum GoCipherSuiteNames {
    /// Go name → OpenSSL cipher name (nil: TLS 1.3 suite, not configurable).
    static let openSSLName: [String: String?] = [
        // tls.CipherSuites()
        "TLS_RSA_WITH_AES_128_CBC_SHA": "AES128-SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA": "AES256-SHA",
        "TLS_RSA_WITH_AES_128_GCM_SHA256": "AES128-GCM-SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384": "AES256-GCM-SHA384",
        "TLS_AES_128_GCM_SHA256": nil,
        "TLS_AES_256_GCM_SHA384": nil,
        "TLS_CHACHA20_POLY1305_SHA256": nil,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
        // tls.InsecureCipherSuites()
        "TLS_RSA_WITH_RC4_128_SHA": "RC4-SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA": "DES-CBC3-SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA256": "AES128-SHA256",
        "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA": "ECDHE-ECDSA-RC4-SHA",
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA": "ECDHE-RSA-RC4-SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA": "ECDHE-RSA-DES-CBC3-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256": "ECDHE-ECDSA-AES128-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": "ECDHE-RSA-AES128-SHA256",
    ]

    /// Turns dskit's cipher suite names into an OpenSSL cipher list for TLS ≤ 1.2;
    /// nil when the list is empty or names only TLS 1.3 suites (OpenSSL defaults).
    static func openSSLCipherList(fromGoNames names: [String]) throws(TransportError) -> String? {
        var mappedNames: [String] = []
        for name in names {
            guard let mapped = openSSLName[name] else { throw .unknownCipherSuite(name) }
            if let mapped { mappedNames.append(mapped) }
        }
        return mappedNames.isEmpty ? nil : mappedNames.joined(separator: ":")
    }
}
