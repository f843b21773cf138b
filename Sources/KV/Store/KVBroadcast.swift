/// One KV update waiting in a broadcast queue (dskit `ringBroadcast`, dskit-kv-ring.md 3.5).
public struct KVBroadcast: Equatable, Sendable {
    public var key: String
    /// What the update covers (`MergeContent`; for rings the instance IDs in the delta).
    public var content: [String]
    /// The node-local version of the key after this update was applied.
    public var version: UInt
    /// The encoded `KeyValuePair`: the body of a memberlist user message.
    public var message: [UInt8]

    public init(key: String, content: [String], version: UInt, message: [UInt8]) {
        (self.key, self.content, self.version, self.message) = (key, content, version, message)
    }

    /// A new broadcast replaces a queued one for the same key when its content covers all of
    /// the old one's content and its version is at least the old one's.
    public func invalidates(_ old: KVBroadcast) -> Bool {
        guard key == old.key else { return false }
        for name in old.content where !content.contains(name) { return false }
        return version >= old.version
    }
}
