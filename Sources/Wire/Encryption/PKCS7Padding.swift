/// The vsn 0 padding of memberlist-wire.md §5: 1...16 bytes, each holding the pad length.
enum PKCS7Padding {
    static let blockSize = 16

    /// Pad length for a plaintext of `count` bytes: a full block when already aligned.
    static func padLength(forCount count: Int) -> Int {
        blockSize - count % blockSize
    }

    /// Length of the plaintext without its padding. Go strips `last byte` bytes unchecked;
    /// here the pad must be 1...16 and fit, so a bad value cannot cut past the start.
    static func unpaddedCount(_ plaintext: UnsafeRawBufferPointer) throws(EncryptionError) -> Int {
        guard let last = plaintext.last else { throw .badPadding }
        let pad = Int(last)
        guard (1...blockSize).contains(pad), pad <= plaintext.count else { throw .badPadding }
        return plaintext.count - pad
    }
}
