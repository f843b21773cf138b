import Foundation
import Glibc
import NetworkTestSupport
import Testing

extension ProcessClusterTests {
    /// openapi/sidecar-v1.yaml checked against a live memberlistd by schemathesis (PyPI;
    /// .ci/run installs it): schema-valid requests must be accepted and answered as
    /// documented, schema-violating ones refused with a documented 4xx, never a 5xx. The
    /// event-stream routes stay open by design and are left out; SidecarClusterTests reads them.
    /// schemathesis keeps a core busy for about a minute (`CPUShare`).
    @Suite(.serialized, .cpu(.loadsCPU))
    struct SidecarOpenAPITests {
        @Test func theServerMatchesItsOpenAPIDocument() async throws {
            let node = try await MemberlistdProcess.launch(name: "openapi0", transport: "tcp")
            let port = try await SidecarClient.port(of: node)
            let root = HelperTool.packageRoot
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "schemathesis", "--config-file", root.appendingPathComponent("openapi/schemathesis.toml").path,
                "run", root.appendingPathComponent("openapi/sidecar-v1.yaml").path,
                "--url", "http://127.0.0.1:\(port)", "--max-examples", "10", "--generation-deterministic",
                "--request-timeout", "5",
                "--exclude-operation-id", "watchMembers", "--exclude-operation-id", "watchKV",
                "--exclude-operation-id", "watchEvents",
            ]
            let report = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(getpid())")
            try FileManager.default.createDirectory(at: report, withIntermediateDirectories: true)
            process.currentDirectoryURL = report
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "schemathesis (pip install schemathesis) reported:\n\(text.suffix(6000))")
            #expect(text.contains(" passed"), "\(text.suffix(2000))")
            _ = await node.stop(SIGTERM)
        }
    }
}
