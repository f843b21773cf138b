/// A map key read by `MessagePackReader`, viewed in place so matching a known
/// Go field name allocates nothing.
public struct MessagePackKey {
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the key's format byte in the reader's input.
    public let offset: Int

    /// Bytewise comparison with a Go field name (case-sensitive, as go-msgpack matches).
    @inlinable public func matches(_ name: StaticString) -> Bool {
        name.withUTF8Buffer { name in
            name.count == bytes.count && (0..<name.count).allSatisfy { name[$0] == bytes[$0] }
        }
    }

    /// The key as text (allocates; for error messages).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
