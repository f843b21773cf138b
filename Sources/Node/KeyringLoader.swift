import Config
import Glibc
import Wire

/// Reads the `-memberlist.encryption-key-file` keyring at start-up (IO lives
/// here, parsing in Config's `EncryptionKeyFile`).
enum KeyringLoader {
    /// The keys of `path`, primary first.
    static func load(path: String) throws(NodeError) -> [[UInt8]] {
        guard let text = SmallFile.read(path, limit: 64 * 1024) else {
            throw .keyringFile(.unreadableFile(path: path, reason: String(cString: strerror(errno))))
        }
        do {
            return try EncryptionKeyFile.parse(text, path: path)
        } catch {
            throw .keyringFile(error)
        }
    }
}
