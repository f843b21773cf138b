import Foundation
import Glibc
import NetworkTestSupport
import Testing

extension ProcessClusterTests {
    /// The memberlistd binary with `-config.file`: bad files exit non-zero with
    /// exactly one stderr line naming file, line, column, key and value;
    /// `-print.config` exits 0; a node configured only by YAML joins.
    @Suite struct ConfigFileProcessTests {
        /// Runs memberlistd to its exit: (status, stdout, stderr).
        static func run(_ arguments: [String]) throws -> (Int32, String, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try MemberlistdProcess.executable())
            process.arguments = arguments
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
        }

        @Test func badFilesExitWithOneLine() throws {
            let directory = try TestFiles.makeDirectory("config")
            let cases: [(yaml: String, line: String)] = [
                ("memberlist:\n  gossip_interval: fast\n",
                 "config.yaml:2:20: memberlist.gossip_interval: invalid duration \"fast\": expected a duration such as 200ms or 1s"),
                ("memberlist:\n  retransmit_factr: 4\n", "config.yaml:2:3: memberlist.retransmit_factr: unknown key: expected one of "),
                ("memberlist:\n  compression_algorithm: zstd\n",
                 "config.yaml:2:26: memberlist.compression_algorithm: invalid value \"zstd\": expected one of lzw, snappy"),
            ]
            for (yaml, expected) in cases {
                let path = try TestFiles.write(yaml, named: "config.yaml", in: directory)
                let (status, _, stderr) = try Self.run(["-config.file=\(path)"])
                #expect(status == 2)
                let lines = stderr.split(separator: "\n")
                #expect(lines.count == 1, "one line: \(stderr)")
                #expect(lines.first?.hasPrefix("memberlistd: \(directory.path)/\(expected)") == true, "\(stderr)")
            }
            let (status, _, stderr) = try Self.run(["-config.file=\(directory.path)/missing.yaml"])
            #expect(status == 2 && stderr.split(separator: "\n").count == 1 && stderr.contains("missing.yaml: cannot read"))
        }

        @Test func printConfigShowsTheEffectiveValuesAndExits() throws {
            let directory = try TestFiles.makeDirectory("config")
            let path = try TestFiles.write("memberlist:\n  gossip_nodes: 6\n  cluster_label: ${LABEL:green}\n",
                                           named: "c.yaml", in: directory)
            let (status, stdout, stderr) = try Self.run([
                "-config.file=\(path)", "-config.expand-env", "-memberlist.gossip-interval=1s", "-print.config",
            ])
            #expect(status == 0 && stderr.isEmpty)
            #expect(stdout.hasPrefix("memberlist:\n"))
            #expect(stdout.contains("\n  gossip_nodes: 6\n") && stdout.contains("\n  gossip_interval: 1s\n"))
            #expect(stdout.contains("\n  cluster_label: \"green\"\n"))
            #expect(stdout.hasSuffix("server:\n  http_listen_address: \"\"\n  http_listen_port: 4040\n"))
        }

        @Test func aNodeConfiguredByYAMLJoinsAndWarnsAboutSkippedBlocks() async throws {
            let seed = try await MemberlistdProcess.launch(name: "yaml-seed", transport: "tcp")
            let directory = try TestFiles.makeDirectory("config")
            let path = try TestFiles.write("""
                ingester:
                  lifecycler: {}
                memberlist:
                  node_name: yaml-joiner
                  join_members: [\(seed.address)]
                  compression_algorithm: snappy

                """, named: "c.yaml", in: directory)
            let joiner = try await MemberlistdProcess.launch(name: "yaml-joiner", transport: "tcp",
                                                             extra: ["-config.file=\(path)", "-memberlist.transport-debug"])
            let warning = try await joiner.waitForLog("\(path):1:1: skipping block ingester: memberlistd reads only memberlist: and server:", from: 0)
            #expect(warning["level"] == "warn")
            try await joiner.waitForLog("fast join finished", from: 0)
            try await joiner.waitForLog("transport packet", ["direction": "out"], from: 0)
            try await joiner.waitForLog("transport packet", ["direction": "in"], from: 0)
            let both = ["yaml-seed": "alive", "yaml-joiner": "alive"]
            try await seed.waitForMembers("2 alive") { $0 == both }
            for node in [seed, joiner] { _ = await node.stop(SIGKILL) }
        }
    }
}
