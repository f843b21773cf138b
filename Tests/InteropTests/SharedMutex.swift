import Synchronization

/// A Mutex that closures and an object can share (Mutex itself is
/// noncopyable and cannot be captured by escaping closures).
final class SharedMutex<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}
