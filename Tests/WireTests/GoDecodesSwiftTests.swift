import Foundation
import Testing
@testable import Wire

/// The other direction: bytes the Swift codec encodes are handed to the real Go
/// memberlist v0.2.2 (`Interop/go/fixtures/run.sh verify`), which must decode each
/// one to the values Swift meant. Needs `golang-go` and
/// `golang-github-hashicorp-memberlist-dev`; the test fails (not skips) without them.
@Suite struct GoDecodesSwiftTests {
    /// One file for the Go verifier plus its manifest entry.
    struct Case {
        var name: String
        var framing: String
        var layers: [String]
        var message: GoFixtureMessage
        var bytes: [UInt8]
        var extra: [String: Any] = [:]
        var streamForm: Bool { framing == "stream" }
    }

    /// Every bare message and stream value of the Go fixtures, plus Swift-only values,
    /// encoded by the Swift codec (the Go bytes are not reused).
    static func swiftEncodedCases() throws -> [Case] {
        var cases: [Case] = []
        for fixture in GoFixtureTests.bareMessages {
            let message = try #require(fixture.message.leaf)
            cases.append(Case(name: "swift_" + fixture.name, framing: "packet", layers: [], message: .message(message),
                              bytes: message.encodedBytes))
        }
        for fixture in GoFixtureTests.bareStreams {
            let message = try #require(fixture.message.leaf)
            var buffer = WireBuffer()
            message.encodeForStream(into: &buffer)
            cases.append(Case(name: "swift_" + fixture.name, framing: "stream", layers: [], message: .message(message),
                              bytes: buffer.bytes))
        }
        for fixture in GoFixtureTests.labelCRCCompoundPackets {
            let bytes = try GoFixtureCodec.encodePacket(fixture.message, crc: fixture.layers.contains("crc"), label: fixture.label)
            cases.append(Case(name: "swift_" + fixture.name, framing: "packet", layers: fixture.layers, message: fixture.message,
                              bytes: bytes, extra: fixture.label.isEmpty ? [:] : ["label": fixture.label]))
        }
        // Values Go's generator did not use: a large push/pull and a long error text.
        let vsn: [UInt8] = [1, 5, 2, 0, 0, 0]
        var nodes: [PushNodeState] = []
        for i in 0..<300 {
            let high = UInt8(i / 256), low = UInt8(i % 256)
            let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, high, low]
            let addr = i % 2 == 0 ? IPAddress(10, 9, high, low) : try #require(IPAddress(bytes: mapped))
            let meta: [UInt8]? = i % 3 == 0 ? nil : Array("m\(i)".utf8)
            nodes.append(PushNodeState(name: "swift-\(i)", addr: addr, port: UInt16(7000 + i), meta: meta,
                                       incarnation: UInt32(i * 1000), state: NodeStateKind.allCases[i % 4], vsn: vsn))
        }
        let pushPull = Message.pushPull(PushPullState(join: true, nodes: nodes, userState: Array(repeating: 0x5a, count: 70_000)))
        var stream = WireBuffer()
        pushPull.encodeForStream(into: &stream)
        cases.append(Case(name: "swift_stream_pushpull_300_nodes", framing: "stream", layers: [], message: .message(pushPull),
                          bytes: stream.bytes))
        let error = Message.error(ErrorResponse(error: String(repeating: "e", count: 300)))
        stream = WireBuffer()
        error.encodeForStream(into: &stream)
        cases.append(Case(name: "swift_stream_err_long", framing: "stream", layers: [], message: .message(error), bytes: stream.bytes))
        // dskit TCP transport framing around a Swift packet.
        let alive = Message.alive(Alive(incarnation: 3, node: "swift", addr: IPAddress(10, 0, 0, 9), port: 7946, meta: nil, vsn: vsn))
        var dskit = WireBuffer()
        try DskitPacketFrame.encode(address: "10.0.0.9:7946", payload: alive.encodedBytes, into: &dskit)
        cases.append(Case(name: "swift_dskit_alive", framing: "dskitPacket", layers: ["dskit"], message: .message(alive),
                          bytes: dskit.bytes, extra: ["dskitSource": "10.0.0.9:7946"]))
        return cases
    }

    /// Writes the cases and a manifest into a fresh temporary directory.
    static func writeVerifierInput(_ cases: [Case]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-to-go-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var entries: [[String: Any]] = []
        for item in cases {
            let file = item.name + ".bin"
            try Data(item.bytes).write(to: directory.appendingPathComponent(file))
            var entry: [String: Any] = ["name": item.name, "file": file, "framing": item.framing, "origin": "swift",
                                        "deterministic": false, "layers": item.layers,
                                        "message": item.message.json(streamForm: item.streamForm)]
            entry.merge(item.extra) { _, new in new }
            entries.append(entry)
        }
        let manifest: [String: Any] = ["format": 1, "generator": "WireTests.GoDecodesSwiftTests", "fixtures": entries]
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: directory.appendingPathComponent("manifest.json"))
        return directory
    }

    /// Interop/go/fixtures/run.sh, found from this source file's location.
    static var verifierScript: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // WireTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .appendingPathComponent("Interop/go/fixtures/run.sh")
    }

    /// Runs `run.sh verify directory`; returns the exit status and combined output.
    static func runGoVerifier(on directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [verifierScript.path, "verify", directory.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func goMemberlistDecodesSwiftEncodedBytes() throws {
        let cases = try Self.swiftEncodedCases()
        #expect(cases.count >= 40)
        let directory = try Self.writeVerifierInput(cases)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.runGoVerifier(on: directory)
        #expect(result.status == 0, "Go verifier failed (status \(result.status)):\n\(result.output)")
        #expect(result.output.contains("verified \(cases.count) fixtures, 0 failed"), "\(result.output)")
    }

    /// The verifier is not a rubber stamp: a value that differs from the bytes must fail.
    @Test func goVerifierRejectsAMismatch() throws {
        let sent = Message.suspect(Suspect(incarnation: 7, node: "node-c", from: "node-a"))
        let claimed = GoFixtureMessage.message(.suspect(Suspect(incarnation: 8, node: "node-c", from: "node-a")))
        let directory = try Self.writeVerifierInput([Case(name: "mismatch", framing: "packet", layers: [], message: claimed,
                                                          bytes: sent.encodedBytes)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.runGoVerifier(on: directory)
        #expect(result.status != 0)
        #expect(result.output.contains("FAIL mismatch"), "\(result.output)")
    }
}
