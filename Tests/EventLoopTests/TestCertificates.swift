import Foundation

/// A throwaway PKI made once per test run by the repository's real
/// `scripts/make-test-certs` (which runs the openssl CLI). Nil when that
/// fails, so TLS tests fail with `#require` rather than skip.
enum TestCertificates {
    static let directory: String? = {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/make-test-certs").path
        let target = FileManager.default.temporaryDirectory
            .appendingPathComponent("eventloop-certs-\(ProcessInfo.processInfo.processIdentifier)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, target]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return nil
        }
        guard process.terminationStatus == 0 else { return nil }
        return target
    }()

    static func path(_ name: String) throws -> String {
        guard let directory else { throw CertificateError.scriptFailed }
        return directory + "/" + name
    }

    enum CertificateError: Error { case scriptFailed }
}
