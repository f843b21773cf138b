import Glibc

/// A throwaway PKI for the TLS benchmark, written by the repository's
/// `scripts/make-test-certs` (the real openssl CLI) into a fresh temp directory:
/// ca.pem, and node.pem/node.key with the IP SAN 127.0.0.1 (used by the node and the client).
struct TestCertificates {
    let directory: String
    var ca: String { directory + "/ca.pem" }
    var certificate: String { directory + "/node.pem" }
    var key: String { directory + "/node.key" }

    enum Failure: Error { case failed(String) }

    /// Runs the script; fails (never skips) when it or openssl is missing.
    static func make() throws -> TestCertificates {
        var template = Array("/tmp/memberlistd-tls-bench.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw Failure.failed("mkdtemp: errno \(errno)")
        }
        let directory = String(cString: made)
        let status = system("'\(repositoryRoot)/scripts/make-test-certs' '\(directory)' >/dev/null")
        guard status == 0 else { throw Failure.failed("scripts/make-test-certs exited with \(status)") }
        return TestCertificates(directory: directory)
    }

    func remove() { _ = system("rm -rf '\(directory)'") }

    /// The repository root: this file is Benchmarks/Benchmarks/NodeBenchmarks/TestCertificates.swift.
    private static var repositoryRoot: String {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }
}
