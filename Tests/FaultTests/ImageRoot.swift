import Foundation
import Glibc
import NetworkTestSupport

/// The runtime image's filesystem, as `scripts/build-image --export` writes it
/// (docker/Dockerfile's `FROM scratch` stage: the static release memberlistd and
/// the CA bundle, no OS), copied for one test and completed with what a
/// container runtime or Kubernetes adds to a container: `/proc` (mounted per
/// process by `LabNode.launch(_:_:image:...)`), `/etc/resolv.conf` naming the
/// cluster DNS, `/etc/hosts`, and mounted files (config, certificates) under
/// `/etc/memberlistd`, owned by the image's user.
///
/// The export is built once per test process into `.build/image-export`, the
/// binary in `.build/image-scratch` (the running `swift test` holds `.build`'s
/// lock), the image tagged `localhost/memberlistd:fault-tests`: the release build and `podman
/// build` of the copy-only stage take about 70 s cold on the two-core machine,
/// seconds when the scratch build is up to date.
final class ImageRoot: Sendable {
    /// The binary's path inside the root (docker/Dockerfile's ENTRYPOINT).
    static let binary = "/usr/local/bin/memberlistd"
    /// The image's `USER`.
    static let user: UInt32 = 10001
    /// Where the test's files go inside the root.
    static let filesDirectory = "/etc/memberlistd"

    /// The exported image filesystem, or why it could not be built.
    static let export: Result<URL, HelperTool.Failure> = {
        let build = HelperTool.packageRoot.appendingPathComponent(".build")
        let directory = build.appendingPathComponent("image-export")
        try? FileManager.default.removeItem(at: directory)
        let script = HelperTool.packageRoot.appendingPathComponent("scripts/build-image").path
        let arguments = [script, "--scratch-path", build.appendingPathComponent("image-scratch").path,
                         "--export", directory.path, "localhost/memberlistd:fault-tests"]
        let started = ContinuousClock.now
        return HelperTool.run("/bin/bash", arguments).map { output in
            print("scripts/build-image --export took \(ContinuousClock.now - started): \(output.split(separator: "\n").filter { $0.hasPrefix("image ") }.joined())")
            return directory
        }
    }()

    /// Every file in the export, relative to its root, sorted.
    static func exportedFiles() throws -> [String] {
        try files(under: try export.get())
    }

    /// This test's copy.
    let path: URL

    /// Copies the export and adds `/proc`, `/etc/resolv.conf` naming `nameserver`
    /// (port 53, a 1 s timeout and one attempt, as `DnsmasqServer.writeResolvConf`),
    /// `/etc/hosts` with localhost only, and each of `files` (name → contents) in
    /// `filesDirectory`, readable only by the image's user (keys among them).
    init(nameserver: String, files: [String: String]) throws {
        let source = try Self.export.get()
        path = FileManager.default.temporaryDirectory.appendingPathComponent("memberlistd-root-\(UUID().uuidString)")
        do {
            try FileManager.default.copyItem(at: source, to: path)
            try FileManager.default.createDirectory(at: path.appendingPathComponent("proc"), withIntermediateDirectories: false)
            let etc = path.appendingPathComponent("etc")
            try DnsmasqServer.writeResolvConf(at: etc.appendingPathComponent("resolv.conf").path, server: nameserver)
            try Data("127.0.0.1 localhost\n::1 localhost\n".utf8).write(to: etc.appendingPathComponent("hosts"))
            let mounted = path.appendingPathComponent(String(Self.filesDirectory.dropFirst()))
            try FileManager.default.createDirectory(at: mounted, withIntermediateDirectories: true)
            try Self.own(mounted.path, mode: 0o700)
            for (name, contents) in files {
                let file = mounted.appendingPathComponent(name)
                try Data(contents.utf8).write(to: file)
                try Self.own(file.path, mode: 0o600)
            }
        } catch {
            remove()
            throw error
        }
    }

    /// The root's files, relative to it, sorted (directories left out).
    func files() throws -> [String] { try Self.files(under: path) }

    /// Deletes the copy (the `/proc` mounts die with their processes' mount namespaces).
    func remove() {
        try? FileManager.default.removeItem(at: path)
    }

    /// Processes whose root directory is this root (chrooted nodes still running).
    var processesInside: [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root"))?.hasPrefix(path.path) == true
        }.sorted()
    }

    /// Mount points under the root still present in this process's mount table
    /// (empty when every node's private mount namespace is gone).
    var mountsLeft: [String] {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4].hasPrefix(path.path) else { return nil }
            return String(fields[4])
        }
    }

    private static func own(_ path: String, mode: Int) throws {
        try FileManager.default.setAttributes([.ownerAccountID: user, .groupOwnerAccountID: user, .posixPermissions: mode],
                                              ofItemAtPath: path)
    }

    private static func files(under root: URL) throws -> [String] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else {
            throw LabError.commandFailed("cannot list \(root.path)")
        }
        var found: [String] = []
        for case let url as URL in walker where try url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory != true {
            found.append(String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count)))
        }
        return found.sorted()
    }
}
