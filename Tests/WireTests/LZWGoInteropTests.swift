import Foundation
import Testing
@testable import Wire

/// Differential test against Go's own `compress/lzw` (Interop/go/lzwcheck), the codec
/// hashicorp/memberlist uses (memberlist-wire.md §6). Needs `go` on PATH; fails without it.
@Suite struct LZWGoInteropTests {
    @Test func swiftAndGoAgreeInBothDirections() throws {
        var random = SplitMix64(seed: 0x6060_0001)
        var inputs: [[UInt8]] = [
            [],
            [0x41],
            Array("abababab".utf8),
            [UInt8](repeating: 0, count: 131_072),
            random.bytes(140_000, alphabet: [0x10, 0x20, 0x30, 0x40]),
            random.bytes(120_000),
            (0..<6000).flatMap { Array("node-\($0 % 211) suspect inc \($0);".utf8) },
        ]
        for length in [3837, 3838, 3839, 7676, 7677, 11514] {
            inputs.append(LZWStreamBuilder.distinctPairs(count: length))
        }
        for _ in 0..<60 {
            let length = Int.random(in: 0...3000, using: &random)
            inputs.append(random.bytes(length, alphabet: Array(random.bytes(Int.random(in: 1...40, using: &random)))))
        }

        var requests: [String] = []
        var swiftCompressed: [[UInt8]] = []
        for input in inputs {
            let compressed = LZW.compress(input)
            swiftCompressed.append(compressed)
            requests.append("c " + TransformHex.encode(input))
            requests.append("d " + TransformHex.encode(compressed))
        }
        let replies = try GoLZWCheck.run(requests)
        try #require(replies.count == requests.count)

        for (index, input) in inputs.enumerated() {
            let goCompressed = try #require(GoLZWCheck.success(replies[2 * index]), "Go failed to compress input \(index)")
            let goDecompressed = try #require(GoLZWCheck.success(replies[2 * index + 1]), "Go failed to decompress input \(index)")
            #expect(goDecompressed == input, "Go decoding of Swift output differs for input \(index)")
            #expect(swiftCompressed[index] == goCompressed, "compressed bytes differ for input \(index) (\(input.count) bytes)")
            #expect(try LZW.decompress(goCompressed, limit: input.count) == input, "Swift decoding of Go output differs for input \(index)")
        }
    }

    /// Truncated streams, garbage and hand-built streams: Swift must reject exactly what Go
    /// rejects and otherwise produce the same bytes.
    @Test func swiftAndGoAgreeOnMalformedStreams() throws {
        var random = SplitMix64(seed: 0x6060_0002)
        var streams: [[UInt8]] = []
        let valid = LZW.compress(random.bytes(600, alphabet: Array("xyz".utf8)))
        for end in stride(from: 0, to: valid.count, by: 7) {
            streams.append(Array(valid[..<end]))
        }
        for round in 0..<400 {
            var garbage = random.bytes(Int.random(in: 1...64, using: &random))
            if round % 2 == 0 { garbage[0] = 0x00 }
            streams.append(garbage)
        }
        streams.append(LZWStreamBuilder.pack([(256, 9), (97, 9), (300, 9), (257, 9)]))
        streams.append(LZWStreamBuilder.pack([(97, 9), (98, 9), (258, 9), (257, 9)]))

        let replies = try GoLZWCheck.run(streams.map { "d " + TransformHex.encode($0) })
        try #require(replies.count == streams.count)
        var goAccepted = 0
        for (index, stream) in streams.enumerated() {
            let swiftResult = Result { () throws(CompressionError) in try LZW.decompress(stream, limit: 1 << 22) }
            if let goOutput = GoLZWCheck.success(replies[index]) {
                goAccepted += 1
                #expect((try? swiftResult.get()) == goOutput, "stream \(index) \(TransformHex.encode(stream))")
            } else {
                #expect((try? swiftResult.get()) == nil, "Go rejected stream \(index) (\(replies[index])) but Swift accepted it")
            }
        }
        #expect(goAccepted > 0)
        #expect(goAccepted < streams.count)
    }
}

/// Runs `go run Interop/go/lzwcheck` once for a batch of requests.
enum GoLZWCheck {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static var programPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/go/lzwcheck/main.go").path
    }

    static func run(_ requests: [String]) throws -> [String] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lzwcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("in.txt")
        let outputFile = directory.appendingPathComponent("out.txt")
        let errorFile = directory.appendingPathComponent("err.txt")
        try Data((requests.joined(separator: "\n") + "\n").utf8).write(to: inputFile)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["go", "run", programPath]
        var environment = ProcessInfo.processInfo.environment
        environment["GO111MODULE"] = "off"
        if environment["GOCACHE"] == nil && environment["HOME"] == nil {
            environment["GOCACHE"] = directory.appendingPathComponent("gocache").path
        }
        process.environment = environment
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Failure(description: "go run lzwcheck exited with \(process.terminationStatus): \(stderr)")
        }
        let output = try String(contentsOf: outputFile, encoding: .utf8)
        return output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The bytes of an "ok <hex>" reply, nil for "err ...".
    static func success(_ reply: String) -> [UInt8]? {
        guard reply.hasPrefix("ok ") else { return nil }
        return TransformHex.decode(String(reply.dropFirst(3)))
    }
}
