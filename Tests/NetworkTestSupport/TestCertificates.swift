import Foundation
import Testing

/// Test PKI from `scripts/make-test-certs` (runs the real openssl CLI; a
/// missing openssl fails the test).
public struct TestCertificates: Sendable {
    public let directory: String
    public var ca: String { directory + "/ca.pem" }
    public var nodeCert: String { directory + "/node.pem" }
    public var nodeKey: String { directory + "/node.key" }
    public var otherCA: String { directory + "/other-ca.pem" }
    public var rogueCert: String { directory + "/rogue.pem" }
    public var rogueKey: String { directory + "/rogue.key" }

    /// One PKI per test process, made on first use (each test run leaves one
    /// directory under the temporary directory, not one per test).
    private static let shared = Result { try make() }

    public static func load() throws -> TestCertificates { try shared.get() }

    private static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("transport-certs-\(UUID().uuidString)").path
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/make-test-certs").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, directory]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "scripts/make-test-certs failed (is openssl installed?)")
        return TestCertificates(directory: directory)
    }
}
