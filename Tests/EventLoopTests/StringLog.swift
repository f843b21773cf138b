import Synchronization

/// A thread-safe list of strings recorded by loop callbacks.
final class StringLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ value: String) { storage.withLock { $0.append(value) } }
    var values: [String] { storage.withLock { $0 } }
}
