/// dskit's `string` codec: the value's bytes are the string's UTF-8 bytes, unchanged
/// (dskit-kv-ring.md 3.2). Its values are not mergeable, so the memberlist store refuses
/// them; the codec serves display and other stores.
public struct StringCodec: KVCodec {
    public static let codecID = "string"
    public var id: String { Self.codecID }

    public init() {}

    public func decode(_ bytes: [UInt8]) throws(KVError) -> any Sendable {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .undecodable(codec: id, reason: "not UTF-8")
        }
        return string
    }

    public func encode(_ value: any Sendable) -> [UInt8]? {
        guard let string = value as? String else { return nil }
        return Array(string.utf8)
    }
}
