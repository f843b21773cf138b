import COpenSSL
import Glibc

/// Client TLS sessions kept to resume the next handshake with the same peer (issue 14):
/// one session per peer address and expected server name, the newest the server handed
/// out, at most `capacity` peers (the least recently stored peer is dropped first).
///
/// Keyed by what the client verified: a resumed handshake skips certificate
/// verification, so a session is only offered to the address and name it was verified
/// for. ``removeAll()`` (a reload: new CA or identity) forgets every session and bumps
/// `generation`, so a connection that began before cannot store its old-trust session
/// afterwards. Owned by its ``TLSContext``; loop thread only.
final class TLSSessionCache {
    struct Key: Hashable {
        var address: SocketAddress
        var serverName: String?
    }

    private struct Entry {
        var session: OpaquePointer
        var stamp: UInt64
    }

    let capacity: Int
    private(set) var generation = 0
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    deinit { removeAll() }

    var count: Int { entries.count }

    /// The session to offer to `key`'s peer (still owned by the cache), nil when none
    /// is kept or it expired (then it is dropped).
    func session(for key: Key) -> OpaquePointer? {
        guard let entry = entries[key] else { return nil }
        let expires = Int64(SSL_SESSION_get_time(entry.session)) + Int64(SSL_SESSION_get_timeout(entry.session))
        guard expires > Int64(time(nil)) else {
            remove(key)
            return nil
        }
        return entry.session
    }

    /// Takes ownership of `session` (one reference) for `key`, replacing the peer's
    /// older one; a session from an earlier generation is freed instead.
    func store(_ session: OpaquePointer, for key: Key, generation: Int) {
        guard capacity > 0, generation == self.generation else {
            SSL_SESSION_free(session)
            return
        }
        clock &+= 1
        if let older = entries.updateValue(Entry(session: session, stamp: clock), forKey: key) {
            SSL_SESSION_free(older.session)
            return
        }
        guard entries.count > capacity,
              let oldest = entries.min(by: { $0.value.stamp < $1.value.stamp })?.key else { return }
        remove(oldest)
    }

    /// Forgets `key`'s session (its handshake failed: do not offer it again).
    func remove(_ key: Key) {
        if let entry = entries.removeValue(forKey: key) { SSL_SESSION_free(entry.session) }
    }

    /// Forgets every session and starts a new generation.
    func removeAll() {
        for entry in entries.values { SSL_SESSION_free(entry.session) }
        entries.removeAll()
        generation += 1
    }
}
