import Foundation

/// The programs the tests run to completion beside the code under test: build
/// scripts (Interop/go/build.sh, scripts/build-image), scripts/make-test-certs,
/// `ip` and `nft`. A missing or failing tool fails the calling test with its
/// output; no test skips because of one.
public enum HelperTool {
    /// The repository root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A helper program that could not run or exited non-zero, with its output.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Runs `executable` to completion, capturing its combined output.
    public static func run(_ executable: String, _ arguments: [String]) -> Result<String, Failure> {
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
            return .failure(Failure(description: "cannot run \(executable): \(error)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            return .failure(Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus):\n\(text)"))
        }
        return .success(text)
    }
}
