import CShims
@testable import EventLoop

/// Starts a loop thread for one test and always stops and joins it.
func withLoop<Result: Sendable>(
    _ body: (EventLoopHandle) async throws -> Result
) async throws -> Result {
    let handle = try EventLoop.startThread(name: "test-loop")
    do {
        let result = try await body(handle)
        handle.stop()
        handle.join()
        return result
    } catch {
        handle.stop()
        handle.join()
        throw error
    }
}

/// Runs `start` on the loop and waits until a loop callback calls `finish`
/// with the outcome (later calls are ignored).
func onLoop<Result: Sendable>(
    _ handle: EventLoopHandle,
    _ start: @escaping @Sendable (EventLoop, _ finish: @escaping (Result) -> Void) throws -> Void
) async throws -> Result {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
        let queued = handle.execute { loop in
            var finished = false
            do {
                try start(loop) { value in
                    guard !finished else { return }
                    finished = true
                    continuation.resume(returning: value)
                }
            } catch {
                guard !finished else { return }
                finished = true
                continuation.resume(throwing: error)
            }
        }
        if !queued { continuation.resume(throwing: EventLoopError.shutDown) }
    }
}

/// Small deterministic generator for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension TCPConnection {
    /// `write` for an array, keeping the typed error.
    func write(array: [UInt8]) throws(ConnectionError) {
        let result: Result<Void, ConnectionError> = array.withUnsafeBytes { bytes in
            Result { () throws(ConnectionError) in try self.write(bytes) }
        }
        try result.get()
    }
}
