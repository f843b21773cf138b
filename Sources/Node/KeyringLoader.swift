import Config
import Glibc
import Wire

/// Reads the `-memberlist.encryption-key-file` keyring at start-up (IO lives
/// here, parsing in Config's `EncryptionKeyFile`).
enum KeyringLoader {
    /// The keys of `path`, primary first.
    static func load(path: String) throws(NodeError) -> [[UInt8]] {
        guard let text = readSmallFile(path, limit: 64 * 1024) else {
            throw .keyring("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        do {
            return try EncryptionKeyFile.parse(text, path: path)
        } catch {
            throw .keyring(error.description)
        }
    }

    /// The file's bytes as UTF-8 text, nil if unreadable or larger than `limit`.
    static func readSmallFile(_ path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return nil
    }
}
