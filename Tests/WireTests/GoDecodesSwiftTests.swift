import Foundation
import Testing
@testable import Wire

/// The other direction: bytes the Swift codec encodes are handed to the real Go
/// memberlist v0.2.2 (`Interop/go/fixtures/run.sh verify`), which must decode each
/// one to the values Swift meant. Needs `golang-go` and
/// `golang-github-hashicorp-memberlist-dev`; the test fails (not skips) without them.
@Suite struct GoDecodesSwiftTests {
    /// One file for the Go verifier: the bytes Swift wrote and the manifest entry (values,
    /// layers, label, keys) saying what they must decode to.
    struct Case {
        var fixture: GoFixture
        var bytes: [UInt8]
        var name: String { fixture.name }
    }

    /// The values of every Go fixture Go can read back, re-encoded by the Swift pipelines with
    /// the same settings (compression, CRC, label, keys, encryption version; fresh random
    /// nonces), plus Swift-only values: an explicit key size × encryption version matrix for
    /// packets and streams, a secondary key, dskit framing around an encrypted compressed
    /// packet, a large push/pull and a long error. The Go bytes are never reused.
    static func swiftEncodedCases() throws -> [Case] {
        var cases = try GoFixtures.all.filter { !$0.goRejects }.map(mirroredCase)
        cases += try matrixCases()
        cases += try extraCases()
        return cases
    }

    /// A Go fixture's values through the Swift encoder of its framing.
    static func mirroredCase(_ goFixture: GoFixture) throws -> Case {
        var fixture = goFixture
        fixture.name = "swift_" + goFixture.name
        fixture.file = fixture.name + ".bin"
        fixture.origin = "swift"
        fixture.deterministic = false
        fixture.nonce = nil
        return Case(fixture: fixture, bytes: try encode(fixture))
    }

    /// Encodes with PacketEncoder / StreamEncoder / DskitPacketFrame / LZW.
    static func encode(_ fixture: GoFixture) throws -> [UInt8] {
        switch fixture.framing {
        case "packet":
            return try GoFixtureCodec.encodePacketWithPipeline(fixture)
        case "stream":
            return try GoFixtureCodec.encodeStreamWithPipeline(fixture)
        case "dskitPacket":
            var framed = WireBuffer()
            try DskitPacketFrame.encode(address: try #require(fixture.dskitSource),
                                        payload: try GoFixtureCodec.encodePacketWithPipeline(fixture.dskitPayloadFixture), into: &framed)
            return framed.bytes
        case "lzw":
            guard case .raw(let plain) = fixture.message else { throw GoFixtureFormatError("\(fixture.name): lzw without raw") }
            return LZW.compress(plain)
        default:
            throw GoFixtureFormatError("\(fixture.name): unknown framing \(fixture.framing)")
        }
    }

    /// A fixture description for a Swift-only case.
    static func swiftFixture(_ name: String, framing: String, layers: [String], message: GoFixtureMessage, label: String = "",
                             keys: [[UInt8]] = [], encryptKey: [UInt8]? = nil, version: EncryptionVersion? = nil,
                             dskitSource: String? = nil) -> GoFixture {
        GoFixture(name: name, file: name + ".bin", framing: framing, origin: "swift", deterministic: false, layers: layers,
                  label: label, keys: keys, encryptKey: encryptKey ?? keys.first, encryptionVersion: version.map { Int($0.rawValue) },
                  nonce: nil, dskitSource: dskitSource, goRejects: false, message: message)
    }

    static func key(size: Int, seed: UInt8) -> [UInt8] { (0..<size).map { seed &+ UInt8($0) } }

    static let vsn: [UInt8] = [1, 5, 2, 0, 0, 0]

    /// A gossip compound that LZW shrinks (so PacketEncoder keeps the compression, §3.1 step 2).
    static let gossip: GoFixtureMessage = .compound(
        (0..<6).map { i in
            .message(.alive(Alive(incarnation: UInt32(i + 1), node: "swift-node-\(i)", addr: IPAddress(10, 1, 0, UInt8(i)), port: 7946,
                                  meta: Array("zone=swift-zone-a".utf8), vsn: vsn)))
        } + [.message(.suspect(Suspect(incarnation: 2, node: "swift-node-1", from: "swift-node-0"))),
             .message(.dead(Dead(incarnation: 3, node: "swift-node-2", from: "swift-node-0"))),
             .message(.user(Array("swift broadcast".utf8)))])

    static func pushPull(nodes count: Int, userState: [UInt8]) throws -> Message {
        var nodes: [PushNodeState] = []
        for i in 0..<count {
            let high = UInt8(i / 256), low = UInt8(i % 256)
            let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, high, low]
            let addr = i % 2 == 0 ? IPAddress(10, 9, high, low) : try #require(IPAddress(bytes: mapped))
            let meta: [UInt8]? = i % 3 == 0 ? nil : Array("m\(i)".utf8)
            nodes.append(PushNodeState(name: "swift-\(i)", addr: addr, port: UInt16(7000 + i), meta: meta,
                                       incarnation: UInt32(i * 1000), state: NodeStateKind.allCases[i % 4], vsn: vsn))
        }
        return .pushPull(PushPullState(join: count % 2 == 0, nodes: nodes, userState: userState))
    }

    /// Each key size (AES-128/192/256) at each encryption version, for a compressed CRC packet
    /// with and without a label and for a compressed labelled stream (memberlist-wire.md §3.1,
    /// §4.1, §5).
    static func matrixCases() throws -> [Case] {
        var fixtures: [GoFixture] = []
        let state = try pushPull(nodes: 5, userState: Array("swift user state".utf8))
        for size in [16, 24, 32] {
            for version in EncryptionVersion.allCases {
                let keys = [key(size: size, seed: UInt8(size))]
                let tag = "k\(size)_enc\(version.rawValue)"
                fixtures.append(swiftFixture("swift_matrix_packet_\(tag)", framing: "packet", layers: ["encrypt", "crc"],
                                             message: .compress(algorithm: 0, inner: gossip), keys: keys, version: version))
                fixtures.append(swiftFixture("swift_matrix_packet_\(tag)_label", framing: "packet", layers: ["label", "encrypt", "crc"],
                                             message: .compress(algorithm: 0, inner: gossip), label: "swift-\(tag)", keys: keys,
                                             version: version))
                fixtures.append(swiftFixture("swift_matrix_stream_\(tag)_label", framing: "stream", layers: ["label", "encrypt"],
                                             message: .compress(algorithm: 0, inner: .message(state)), label: "swift-\(tag)",
                                             keys: keys, version: version))
                fixtures.append(swiftFixture("swift_matrix_stream_user_\(tag)", framing: "stream", layers: ["encrypt"],
                                             message: .message(.user(Array("reliable \(tag)".utf8))), keys: keys, version: version))
            }
        }
        return try fixtures.map { Case(fixture: $0, bytes: try encode($0)) }
    }

    /// 40,000 bytes from a 12-letter alphabet: long enough for several LZW dictionary resets.
    static var lzwInput: [UInt8] {
        var generator = SplitMix64(seed: 7)
        return generator.bytes(40_000, alphabet: Array("abcdefghijkl".utf8))
    }

    /// Values no Go fixture used.
    static func extraCases() throws -> [Case] {
        let k16 = key(size: 16, seed: 0x40), k24 = key(size: 24, seed: 0x60), k32 = key(size: 32, seed: 0x80)
        let alive = Message.alive(Alive(incarnation: 3, node: "swift", addr: IPAddress(10, 0, 0, 9), port: 7946, meta: nil, vsn: vsn))
        let fixtures = [
            // Encrypted with a key the receiver lists last (decryption tries every key, §5).
            swiftFixture("swift_packet_secondary_key", framing: "packet", layers: ["encrypt", "crc"],
                         message: .compress(algorithm: 0, inner: gossip), keys: [k16, k24, k32], encryptKey: k32, version: .plain),
            swiftFixture("swift_stream_secondary_key", framing: "stream", layers: ["encrypt"],
                         message: .compress(algorithm: 0, inner: .message(.ack(AckResponse(seqNo: 99, payload: nil))) ),
                         keys: [k16, k24, k32], encryptKey: k24, version: .padded),
            // dskit TCP framing around compressed (and encrypted, labelled) packets (dskit-kv-ring.md §1-2).
            swiftFixture("swift_dskit_compress_crc", framing: "dskitPacket", layers: ["dskit", "crc"],
                         message: .compress(algorithm: 0, inner: gossip), dskitSource: "10.0.0.9:7946"),
            swiftFixture("swift_dskit_compress_label_enc", framing: "dskitPacket", layers: ["dskit", "label", "encrypt", "crc"],
                         message: .compress(algorithm: 0, inner: gossip), label: "pyroscope-swift", keys: [k32], version: .plain,
                         dskitSource: "[fd00::9]:7946"),
            swiftFixture("swift_dskit_alive", framing: "dskitPacket", layers: ["dskit"], message: .message(alive),
                         dskitSource: "10.0.0.9:7946"),
            // A large push/pull (uncompressed and compressed) and a long error text.
            swiftFixture("swift_stream_pushpull_300_nodes", framing: "stream", layers: [],
                         message: .message(try pushPull(nodes: 300, userState: Array(repeating: 0x5a, count: 70_000)))),
            swiftFixture("swift_stream_pushpull_300_nodes_compress_enc0", framing: "stream", layers: ["encrypt"],
                         message: .compress(algorithm: 0, inner: .message(try pushPull(nodes: 300, userState: Array(repeating: 0x5a, count: 70_000)))),
                         keys: [k32], version: .padded),
            swiftFixture("swift_stream_err_long", framing: "stream", layers: [],
                         message: .message(.error(ErrorResponse(error: String(repeating: "e", count: 300))))),
            // LZW across several dictionary resets.
            swiftFixture("swift_lzw_long", framing: "lzw", layers: [], message: .raw(lzwInput)),
        ]
        return try fixtures.map { Case(fixture: $0, bytes: try encode($0)) }
    }

    /// Writes the cases and a manifest (Interop/go/fixtures/README.md schema) into a fresh temporary directory.
    static func writeVerifierInput(_ cases: [Case]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-to-go-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var entries: [[String: Any]] = []
        for item in cases {
            let fixture = item.fixture
            try Data(item.bytes).write(to: directory.appendingPathComponent(fixture.file))
            var entry: [String: Any] = ["name": fixture.name, "file": fixture.file, "framing": fixture.framing, "origin": "swift",
                                        "deterministic": false, "layers": fixture.layers,
                                        "message": fixture.message.json(streamForm: fixture.framing == "stream")]
            if !fixture.label.isEmpty { entry["label"] = fixture.label }
            if !fixture.keys.isEmpty { entry["keys"] = fixture.keys.map(hexString) }
            if let key = fixture.encryptKey { entry["encryptKey"] = hexString(key) }
            if let version = fixture.encryptionVersion { entry["encryptionVersion"] = version }
            if let source = fixture.dskitSource { entry["dskitSource"] = source }
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
        // Every Go fixture Go can read back has a Swift-encoded twin.
        let mirrored = GoFixtures.all.filter { !$0.goRejects }.map { "swift_" + $0.name }
        #expect(!mirrored.isEmpty && Set(mirrored).isSubset(of: Set(cases.map(\.name))))
        #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
        let directory = try Self.writeVerifierInput(cases)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.runGoVerifier(on: directory)
        #expect(result.status == 0, "Go verifier failed (status \(result.status)):\n\(result.output)")
        #expect(result.output.contains("verified \(cases.count) fixtures, 0 failed"), "\(result.output)")
    }

    /// The verifier is not a rubber stamp: values, layers, an encryption version or a sending
    /// key that differ from the bytes must each fail.
    @Test func goVerifierRejectsMismatches() throws {
        let sent = Message.suspect(Suspect(incarnation: 7, node: "node-c", from: "node-a"))
        let claimed = GoFixtureMessage.message(.suspect(Suspect(incarnation: 8, node: "node-c", from: "node-a")))
        let valueMismatch = Case(fixture: Self.swiftFixture("mismatch", framing: "packet", layers: [], message: claimed),
                                 bytes: sent.encodedBytes)
        // CRC claimed but absent.
        var layerMismatch = valueMismatch
        layerMismatch.fixture = Self.swiftFixture("mismatch_layers", framing: "packet", layers: ["crc"], message: .message(sent))
        // Sent at vsn 1, claimed vsn 0.
        let key = Self.key(size: 16, seed: 1)
        var versionMismatch = Self.swiftFixture("mismatch_version", framing: "packet", layers: ["encrypt"], message: .message(sent),
                                                keys: [key], version: .plain)
        let versionBytes = try Self.encode(versionMismatch)
        versionMismatch.encryptionVersion = 0
        // Sealed with the second key, claimed sealed with the first (both are in the keyring).
        let other = Self.key(size: 32, seed: 2)
        var keyMismatch = Self.swiftFixture("mismatch_key", framing: "stream", layers: ["encrypt"], message: .message(.user(Array("key check".utf8))),
                                            keys: [key, other], encryptKey: other, version: .plain)
        let keyBytes = try Self.encode(keyMismatch)
        keyMismatch.encryptKey = key
        let cases = [valueMismatch, layerMismatch, Case(fixture: versionMismatch, bytes: versionBytes), Case(fixture: keyMismatch, bytes: keyBytes)]
        let directory = try Self.writeVerifierInput(cases)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.runGoVerifier(on: directory)
        #expect(result.status != 0)
        let reasons = ["mismatch": "decoded message differs", "mismatch_layers": "layers [], expected [crc]",
                       "mismatch_version": "encryption version 1, expected 0", "mismatch_key": "not sealed with encryptKey"]
        for item in cases {
            let reason = try #require(reasons[item.name])
            #expect(result.output.contains("FAIL \(item.name) (\(item.fixture.file)): \(reason)"),
                    "\(item.name) not rejected for \(reason):\n\(result.output)")
        }
        #expect(result.output.contains("verified \(cases.count) fixtures, \(cases.count) failed"), "\(result.output)")
    }
}
