/// How the values of a KV key are turned into bytes and back (dskit `kv/codec.Codec`,
/// dskit-kv-ring.md 3.2). A codec is named by the id carried in every `KeyValuePair`.
public protocol KVCodec: Sendable {
    var id: String { get }
    func decode(_ bytes: [UInt8]) throws(KVError) -> any Sendable
    /// Nil when `value` is not of this codec's type.
    func encode(_ value: any Sendable) -> [UInt8]?
}

extension KVCodec {
    /// Decodes a value the store can merge; the `string` codec's values cannot be.
    public func decodeMergeable(_ bytes: [UInt8]) throws(KVError) -> any MergeableValue {
        guard let value = try decode(bytes) as? any MergeableValue else { throw .notMergeable(codec: id) }
        return value
    }
}

/// The codecs a KV store knows, by id. Pairs naming another id are skipped (push/pull) or
/// counted invalid (gossip), as dskit does.
public struct KVCodecRegistry: Sendable {
    private var codecs: [String: any KVCodec] = [:]

    public init(_ codecs: [any KVCodec] = []) {
        for codec in codecs { register(codec) }
    }

    public mutating func register(_ codec: any KVCodec) {
        codecs[codec.id] = codec
    }

    public func codec(id: String) -> (any KVCodec)? { codecs[id] }

    public var ids: [String] { codecs.keys.sorted() }
}
