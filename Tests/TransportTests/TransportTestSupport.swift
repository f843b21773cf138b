import EventLoop
import Foundation
import Testing
@testable import Transport

struct TestTimedOut: Error, CustomStringConvertible {
    var description: String { "the test did not finish on the loop in time" }
}

/// Keeps loop-confined objects (transports, streams, connections) alive for
/// one test; dropped on the loop thread when the test finishes.
final class Keep {
    var objects: [AnyObject] = []
    @discardableResult
    func callAsFunction<T: AnyObject>(_ object: T) -> T {
        objects.append(object)
        return object
    }
}

/// Runs `body` on a fresh loop thread and waits until a loop callback calls
/// `finish`. A safety timer fails the test instead of hanging it.
func onFreshLoop<Result: Sendable>(
    timeout: Duration = .seconds(20),
    _ body: @escaping @Sendable (EventLoop, Keep, _ finish: @escaping (Result) -> Void) throws -> Void
) async throws -> Result {
    let handle = try EventLoop.startThread(name: "transport-test")
    defer {
        handle.stop()
        handle.join()
    }
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
        let queued = handle.execute { loop in
            let keep = Keep()
            var done = false
            var safety: TimerID?
            let end: (Swift.Result<Result, any Error>) -> Void = { outcome in
                guard !done else { return }
                done = true
                if let safety { loop.cancel(safety) }
                // Release everything on the loop thread, after the current callback.
                loop.execute { _ in
                    for object in keep.objects {
                        (object as? any NodeTransport)?.shutdown()
                        (object as? TransportStream)?.close()
                        (object as? TCPConnection)?.close()
                        (object as? TCPListener)?.close()
                        (object as? UDPSocket)?.close()
                    }
                    keep.objects.removeAll()
                }
                continuation.resume(with: outcome)
            }
            safety = loop.schedule(after: timeout) { _ in end(.failure(TestTimedOut())) }
            do {
                try body(loop, keep) { end(.success($0)) }
            } catch {
                end(.failure(error))
            }
        }
        if !queued { continuation.resume(throwing: EventLoopError.shutDown) }
    }
}

/// Calls `then` on the loop once `condition` holds, checking every 5 ms.
func whenTrue(_ loop: EventLoop, _ condition: @escaping () -> Bool, then: @escaping () -> Void) {
    if condition() {
        then()
        return
    }
    loop.schedule(after: .milliseconds(5)) { loop in whenTrue(loop, condition, then: then) }
}

extension NodeTransport {
    /// `sendPacket` for an array.
    func send(_ bytes: [UInt8], to destination: SocketAddress) {
        bytes.withUnsafeBytes { sendPacket($0, to: destination) }
    }
}

extension TransportStream {
    func write(array: [UInt8]) throws(TransportError) {
        let result: Swift.Result<Void, TransportError> = array.withUnsafeBytes { bytes in
            Swift.Result { () throws(TransportError) in try self.write(bytes) }
        }
        try result.get()
    }

    /// Calls `done` with everything the peer sent once it finished sending.
    func readToEnd(_ done: @escaping ([UInt8]) -> Void) {
        let check = { [unowned self] in
            guard self.isReadClosed else { return }
            let bytes = [UInt8](self.readableBytes)
            self.consume(bytes.count)
            done(bytes)
        }
        onReadable = check
        check()
    }
}

extension TCPConnection {
    func write(array: [UInt8]) throws(ConnectionError) {
        let result: Swift.Result<Void, ConnectionError> = array.withUnsafeBytes { bytes in
            Swift.Result { () throws(ConnectionError) in try self.write(bytes) }
        }
        try result.get()
    }
}

func address(_ text: String) throws -> SocketAddress {
    try #require(SocketAddress(hostPort: text))
}

/// `count` bytes of a recognisable pattern.
func pattern(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}
