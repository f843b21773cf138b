import Foundation
import Testing
@testable import EventLoop
import NetworkTestSupport

/// `TLSContext.reloadIfFilesChanged` (issue 14): a change is applied once the files
/// stayed the same for one more check; a bad file is refused once, naming the file,
/// and the context keeps serving with what it had.
@Suite struct TLSFileReloadTests {
    /// Copies of the node's certificate, key and CA in a fresh directory.
    static func copiedFiles() throws -> (directory: String, configuration: TLSConfiguration) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tls-reload-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (source, target) in [("node.pem", "cert.pem"), ("node.key", "key.pem"), ("ca.pem", "ca.pem")] {
            try FileManager.default.copyItem(atPath: try TestFiles.certificate(source), toPath: directory + "/" + target)
        }
        return (directory, TLSConfiguration(certificateFile: directory + "/cert.pem", keyFile: directory + "/key.pem",
                                            caFile: directory + "/ca.pem"))
    }

    static func copy(_ certificate: String, over target: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TestFiles.certificate(certificate)))
        try data.write(to: URL(fileURLWithPath: target))
    }

    struct Steps: Sendable, Equatable {
        var checks: [String] = []
        var handshakeAfterCorruption: String = ""
    }

    @Test func changedFilesReloadOnceSettledAndBadFilesAreRefusedOnce() async throws {
        let (directory, configuration) = try Self.copiedFiles()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = directory + "/cert.pem", key = directory + "/key.pem"
        let trusting = try TLSTests.trustingClient()
        let steps = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Steps) -> Void) in
                let context = try TLSContext(configuration: configuration)
                var steps = Steps()
                func check() {
                    do {
                        steps.checks.append(try context.reloadIfFilesChanged() ? "reloaded" : "unchanged")
                    } catch {
                        steps.checks.append("refused \(error.file ?? "no file")")
                    }
                }
                check()
                do {
                    try Self.copy("rogue.pem", over: certificate)
                    try Self.copy("rogue.key", over: key)
                } catch { Issue.record("\(error)") }
                check()  // seen changed: wait one more check
                check()  // still the same: reload
                check()
                do {
                    try Self.copy("node.pem", over: certificate)
                    try Self.copy("node.key", over: key)
                } catch { Issue.record("\(error)") }
                check()
                check()
                do {
                    try Data("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n".utf8)
                        .write(to: URL(fileURLWithPath: certificate))
                } catch { Issue.record("\(error)") }
                check()
                check()  // refused, naming the file
                check()  // not tried again until the file changes
                // The node certificate loaded before the corruption is still served.
                let listener = try startEchoServer(on: loop, ip: "127.0.0.1", tls: context)
                let client = try TLSContext(configuration: trusting)
                loop.connectTCP(to: listener.localAddress, timeout: .seconds(5), tls: client) { result in
                    listener.close()
                    switch result {
                    case .success(let connection):
                        steps.handshakeAfterCorruption = "ok"
                        connection.close()
                    case .failure(let error):
                        steps.handshakeAfterCorruption = "\(error)"
                    }
                    finish(steps)
                }
            }
        }
        #expect(steps.checks == ["unchanged", "unchanged", "reloaded", "unchanged", "unchanged", "reloaded",
                                 "unchanged", "refused \(certificate)", "unchanged"])
        #expect(steps.handshakeAfterCorruption == "ok")
    }
}
