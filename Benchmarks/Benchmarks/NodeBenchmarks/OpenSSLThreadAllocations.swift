import BenchOpenSSL
import Glibc
import Synchronization

/// Counts the heap allocations OpenSSL makes on one chosen thread, so that a TLS
/// benchmark whose client runs in the same process as the node can tell the client's
/// OpenSSL allocations from the node's (the malloc interposer counts the whole process).
///
/// OpenSSL routes every allocation through `CRYPTO_malloc`/`CRYPTO_realloc`, whose
/// functions can be replaced once, before its first allocation. The replacements call
/// glibc's malloc/realloc/free unchanged (so the interposer still sees exactly the same
/// calls) and add one to the watched thread's counter or to everyone else's.
enum OpenSSLThreadAllocations {
    /// `pthread_self()` of the watched thread; 0 watches none.
    private static let watched = Atomic<UInt>(0)
    private static let counter = Atomic<Int>(0)
    private static let otherCounter = Atomic<Int>(0)
    private static let installedFlag = Atomic<Bool>(false)

    /// Whether `install()` succeeded.
    static var installed: Bool { installedFlag.load(ordering: .relaxed) }

    /// Installs the counting functions. False when OpenSSL has already allocated
    /// (it then refuses replacements), in which case nothing can be attributed.
    @discardableResult
    static func install() -> Bool {
        if installed { return true }
        let accepted = CRYPTO_set_mem_functions(
            { size, _, _ in
                OpenSSLThreadAllocations.note()
                return malloc(size)
            },
            { pointer, size, _, _ in
                // realloc counts as one allocation in the interposer unless it frees (size 0).
                if size > 0 { OpenSSLThreadAllocations.note() }
                return realloc(pointer, size)
            },
            { pointer, _, _ in free(pointer) }
        ) == 1
        installedFlag.store(accepted, ordering: .relaxed)
        return accepted
    }

    /// From now on, counts the calling thread's OpenSSL allocations.
    static func watchCurrentThread() { watched.store(UInt(pthread_self()), ordering: .relaxed) }

    /// OpenSSL allocations on the watched thread so far.
    static var count: Int { counter.load(ordering: .relaxed) }

    /// OpenSSL allocations on every other thread so far (the node's loop thread).
    static var otherThreadsCount: Int { otherCounter.load(ordering: .relaxed) }

    private static func note() {
        if watched.load(ordering: .relaxed) == UInt(pthread_self()) {
            counter.add(1, ordering: .relaxed)
        } else {
            otherCounter.add(1, ordering: .relaxed)
        }
    }
}
