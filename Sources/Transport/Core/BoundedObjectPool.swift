/// Reusable per-connection objects for the steady-state packet path (issue #4:
/// a steady-state packet allocates nothing). Objects are created on demand,
/// at most `limit` of them, and kept for reuse once given back, so after the
/// first burst of a given size no packet allocates one. When all `limit` are
/// out, `take` returns nil: the caller drops and counts, never waits.
final class BoundedObjectPool<Object: AnyObject> {
    /// The most objects that exist at once (in use plus idle).
    let limit: Int
    private let make: () -> Object
    private var idle: [Object] = []
    /// Objects created so far (never more than `limit`).
    private(set) var created = 0

    init(limit: Int, make: @escaping () -> Object) {
        self.limit = max(0, limit)
        self.make = make
        idle.reserveCapacity(min(self.limit, 1024))
    }

    /// Objects currently taken and not given back.
    var inUse: Int { created - idle.count }

    /// An idle object, a new one while fewer than `limit` exist, else nil.
    func take() -> Object? {
        if let object = idle.popLast() { return object }
        guard created < limit else { return nil }
        created += 1
        return make()
    }

    /// Returns an object taken from this pool; it is handed out again later.
    func give(_ object: Object) {
        idle.append(object)
    }

    /// Every idle object (for shutdown).
    var idleObjects: [Object] { idle }
}
