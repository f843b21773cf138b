import Config
import Glibc

/// Reads a small start-up file (keyring, config file): IO lives in Node,
/// parsing in Config (`EncryptionKeyFile`, `NodeConfig.load`).
public enum SmallFile {
    /// The file's bytes as UTF-8 text, nil if unreadable or larger than `limit`.
    public static func read(_ path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return nil
    }

    /// A config file for `NodeConfig.load` (at most 1 MiB).
    public static func readConfig(_ path: String) -> Result<String, ConfigError> {
        if let text = read(path, limit: 1024 * 1024) { return .success(text) }
        let reason = errno == 0 ? "larger than 1 MiB" : String(cString: strerror(errno))
        return .failure(.unreadableFile(path: path, reason: reason))
    }
}
