/// Why the KV store refused a value. Bad input is always one of these, never a crash.
public enum KVError: Error, Equatable, Sendable {
    /// The pair has no key (dskit counts it invalid and drops it).
    case emptyKey
    /// No codec is registered under this id.
    case unknownCodec(String)
    /// The codec could not decode the value.
    case undecodable(codec: String, reason: String)
    /// The codec's values are not mergeable (dskit: "expected Mergeable"), e.g. the raw
    /// `string` codec.
    case notMergeable(codec: String)
    /// The incoming value is of another type than the one stored under the key.
    case valueTypeMismatch
}
