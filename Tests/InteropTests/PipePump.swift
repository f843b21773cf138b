import Foundation
import Glibc

/// Reads a child process's pipe on a thread of its own (GoPeer, RingAppProcess).
enum PipePump {
    /// Copies a pipe to `sink` on a dedicated thread until end of file.
    /// Plain blocking read(2): FileHandle.readabilityHandler's dispatch
    /// sources crashed libdispatch when pipes were torn down, and
    /// FileHandle.read(upToCount:) waits for a full buffer.
    static func start(
        _ handle: FileHandle, into sink: @escaping @Sendable (Data) -> Void, atEnd: @escaping @Sendable () -> Void
    ) {
        Thread.detachNewThread {
            let fd = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    sink(Data(buffer[0..<n]))
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            withExtendedLifetime(handle) {}
            atEnd()
        }
    }

    /// Like `start`, handing `sink` the complete lines (without their newline) of each chunk.
    static func startLines(
        _ handle: FileHandle, into sink: @escaping @Sendable ([String]) -> Void, atEnd: @escaping @Sendable () -> Void
    ) {
        let pending = SharedMutex(Data())
        start(handle, into: { chunk in
            let complete: [String] = pending.withLock { buffer in
                buffer.append(chunk)
                var result: [String] = []
                while let newline = buffer.firstIndex(of: 0x0a) {
                    result.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
                return result
            }
            if !complete.isEmpty { sink(complete) }
        }, atEnd: atEnd)
    }
}
