import Glibc

/// What the certificate, key and CA files of a ``TLSConfiguration`` look like on disk
/// (device, inode, size, modification time; or the errno when a file cannot be
/// stat'ed), so a reload can be triggered by a change without reading the files. An
/// atomic replacement (rename, or Kubernetes' symlink swap; stat follows links) changes
/// the inode; an in-place rewrite changes size or mtime.
public struct TLSFileFingerprint: Equatable, Sendable {
    private struct FileState: Equatable, Sendable {
        var device: UInt64 = 0
        var inode: UInt64 = 0
        var size: Int64 = 0
        var modifiedSeconds: Int = 0
        var modifiedNanoseconds: Int = 0
        var errno: Int32 = 0
    }

    private var files: [FileState]

    public init(of configuration: TLSConfiguration) {
        files = [configuration.certificateFile, configuration.keyFile, configuration.caFile].map { path in
            guard let path else { return FileState() }
            var info = stat()
            guard fstatat(AT_FDCWD, path, &info, 0) == 0 else { return FileState(errno: Glibc.errno) }
            return FileState(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                             modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
        }
    }
}
