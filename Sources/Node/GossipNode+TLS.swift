import EventLoop
import Transport

/// TLS certificate, key and CA reload without a restart (issue 14): on SIGHUP (the
/// daemon calls ``reloadTLS(trigger:)``) and when the files change, checked every
/// `-memberlist.tls-reload-interval` on the loop. Each attempt is one log line: what
/// was reloaded, or which file was refused (the previous files stay in use). The
/// transport counts them (`memberlistd_tls_reloads_total`).
extension GossipNode {
    /// Re-reads the files now; `trigger` names why in the log line (e.g. "SIGHUP").
    public func reloadTLS(trigger: String) {
        guard !isShutDown else { return }
        if let outcome = transport.reloadTLS(ifFilesChanged: false) { logTLSReload(outcome, trigger: trigger) }
    }

    /// Starts the interval check when TLS is on and the interval is not zero.
    func startTLSReloadChecks() {
        guard config.tls.enabled, config.tls.reloadInterval > .zero else { return }
        tlsReloadCheck = { [weak self] _ in self?.checkTLSFiles() }
        tlsReloadTimer = loop.schedule(after: config.tls.reloadInterval, tlsReloadCheck)
    }

    func stopTLSReloadChecks() {
        if let tlsReloadTimer { loop.cancel(tlsReloadTimer) }
        tlsReloadTimer = nil
    }

    private func checkTLSFiles() {
        tlsReloadTimer = nil
        guard !isShutDown else { return }
        if let outcome = transport.reloadTLS(ifFilesChanged: true) { logTLSReload(outcome, trigger: "file change") }
        tlsReloadTimer = loop.schedule(after: config.tls.reloadInterval, tlsReloadCheck)
    }

    private func logTLSReload(_ outcome: TLSReloadOutcome, trigger: String) {
        let tls = config.tls
        switch outcome {
        case .reloaded:
            logger.info("TLS files reloaded", ("trigger", trigger), ("cert", tls.certificatePath),
                        ("key", tls.keyPath), ("ca", tls.caPath))
        case .refused(let error):
            logger.error("TLS reload refused; the previous files stay in use", ("trigger", trigger),
                         ("file", error.file ?? "-"), ("err", "\(error)"))
        }
    }
}
