import Foundation

/// Builds Interop/go (via Interop/go/build.sh) once per test process into
/// .build/interop-go. A missing Go toolchain is a build failure, so the
/// tests that need the peer fail rather than skip.
enum GoPeerBinary {
    /// The repository root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let outputDirectory = packageRoot.appendingPathComponent(".build/interop-go")

    /// Path of the built peer, or why it could not be built. Computed once.
    static let peer: Result<String, GoPeerError> = {
        // A peer that exits while we write its stdin must not kill the tests.
        signal(SIGPIPE, SIG_IGN)
        let script = packageRoot.appendingPathComponent("Interop/go/build.sh").path
        switch runTool("/bin/bash", [script, outputDirectory.path]) {
        case .success:
            return .success(outputDirectory.appendingPathComponent("peer").path)
        case .failure(let failure):
            return .failure(.buildFailed(failure.description))
        }
    }()

    /// The built peer's path; throws the build failure.
    static func path() throws -> String {
        try peer.get()
    }

    /// A helper program that could not run or exited non-zero, with its output.
    struct ToolFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a helper program to completion, capturing its combined output.
    static func runTool(_ executable: String, _ arguments: [String]) -> Result<String, ToolFailure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(ToolFailure(description: "cannot run \(executable): \(error)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            return .failure(ToolFailure(description: "\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus):\n\(text)"))
        }
        return .success(text)
    }
}
