import COpenSSL

/// A TLS failure with OpenSSL's own reason strings, so operators see e.g.
/// "certificate verify failed" plus the X.509 verification result.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done: "handshake", "load certificate", "SSL_read", ...
    public let operation: String
    /// Entries drained from OpenSSL's error queue, oldest first.
    public let reasons: [String]
    /// X509_verify_cert_error_string of the peer verification, when it failed.
    public let verification: String?
    /// The certificate, key or CA file that could not be used, when a file was the cause.
    public let file: String?

    public init(operation: String, reasons: [String], verification: String? = nil, file: String? = nil) {
        self.operation = operation
        self.reasons = reasons
        self.verification = verification
        self.file = file
    }

    public var description: String {
        var text = "TLS \(operation) failed"
        if !reasons.isEmpty { text += ": " + reasons.joined(separator: "; ") }
        if let verification { text += " (peer verification: \(verification))" }
        return text
    }

    /// Drains the calling thread's OpenSSL error queue into a `TLSError`.
    static func drainingQueue(operation: String, fallback: String? = nil, verification: String? = nil,
                              file: String? = nil) -> TLSError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let text = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer -> String in
                guard let base = buffer.baseAddress else { return "OpenSSL error \(code)" }
                ERR_error_string_n(code, base, 256)
                return String(cString: base)
            }
            reasons.append(text)
        }
        if reasons.isEmpty, let fallback { reasons.append(fallback) }
        return TLSError(operation: operation, reasons: reasons, verification: verification, file: file)
    }
}
