import Glibc
import Testing
@testable import EventLoop

/// The line reader on a real pipe: lines split across reads are joined, an
/// empty line is a line, end of input stops it, an unterminated tail is not a line.
@Suite struct LineReaderTests {
    private static func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        #expect(written == bytes.count)
    }

    @Test func linesAcrossReadsThenEndOfInput() async throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        Self.write(writeEnd, "alpha\nbe")
        let (lines, stillReading) = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (([String], Bool)) -> Void) in
                var lines: [String] = []
                var reader: LineReader?
                reader = try LineReader(loop: loop, fd: readEnd, onLine: { line in
                    lines.append(line)
                    // Written only after the first read was split: "be" waits for "ta".
                    if line == "alpha" { Self.write(writeEnd, "ta\ngamma\n\ntail") }
                    if line.isEmpty { Glibc.close(writeEnd) }
                }, onEnd: {
                    finish((lines, reader?.isReading ?? true))
                    reader = nil
                })
            }
        }
        #expect(lines == ["alpha", "beta", "gamma", ""])
        #expect(!stillReading)
        // The reader never closes the descriptor it reads.
        #expect(fcntl(readEnd, F_GETFD) != -1)
        Glibc.close(readEnd)
    }

    /// A descriptor epoll refuses (`/dev/null`, as a daemon's stdin often is): the
    /// reader throws, and its buffer is freed once (deinit runs after a throw from a
    /// fully initialized class; a second free in the initializer aborted the process).
    @Test func anUnwatchableDescriptorThrowsAndFreesOnce() async throws {
        let devNull = open("/dev/null", O_RDONLY)
        #expect(devNull >= 0)
        defer { Glibc.close(devNull) }
        let refused = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (SystemError?) -> Void) in
                do throws(SystemError) {
                    _ = try LineReader(loop: loop, fd: devNull, onLine: { _ in })
                    finish(nil)
                } catch {
                    finish(error)
                }
            }
        }
        #expect(refused?.errno == EPERM, "\(String(describing: refused))")
    }
}
