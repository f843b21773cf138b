import Foundation

/// Scratch files the process tests hand to nodes and peers: keys, certificates, configs.
public enum TestFiles {
    /// A fresh private directory under the system temp directory.
    public static func makeDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("memberlistd-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `contents` to a new file and returns its path.
    @discardableResult
    public static func write(_ contents: String, named name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    /// The test PKI from scripts/make-test-certs (ca, node, other-ca, rogue;
    /// each as .pem + .key), generated once per test process with the real
    /// openssl CLI. Missing openssl fails the calling test.
    public static let certificates: Result<URL, HelperTool.Failure> = {
        do {
            let directory = try makeDirectory("certs")
            let script = HelperTool.packageRoot.appendingPathComponent("scripts/make-test-certs").path
            return HelperTool.run("/bin/bash", [script, directory.path]).map { _ in directory }
        } catch {
            return .failure(HelperTool.Failure(description: "cannot create a temp directory: \(error)"))
        }
    }()

    /// Path of `name` (e.g. "node.pem") in the generated PKI.
    public static func certificate(_ name: String) throws -> String {
        try certificates.get().appendingPathComponent(name).path
    }
}
