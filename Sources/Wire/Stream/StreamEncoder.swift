/// Frames one stream message (memberlist-wire.md §4.1): optional label header
/// (dialer only, once per stream), the message (`08 {UserMsgLen} raw` for user
/// messages), compressed as a whole including its type byte when compression is
/// on (always, even if larger), then `0a LEN vsn nonce ciphertext tag` when
/// encrypting, with AAD `0a LEN label`.
public enum StreamEncoder {
    /// Appends the framed message to `out`.
    /// - Parameter writeLabel: true for the first message the dialer writes; replies never carry a label.
    public static func encode(_ message: Message, security: PacketSecurity, writeLabel: Bool,
                              into out: inout WireBuffer) throws(StreamError) {
        let start = out.count
        do throws(StreamError) {
            if writeLabel {
                do { try LabelHeader.encode(security.label, into: &out) } catch { throw StreamError.label(error) }
            }
            let bodyStart = out.count
            message.encodeForStream(into: &out)
            if security.compress {
                let compressed = out.withUnsafeBytes { raw in
                    Compressor.compress(algorithm: security.compressionAlgorithm, UnsafeRawBufferPointer(rebasing: raw[bodyStart...]))
                }
                out.truncate(to: bodyStart)
                out.append(MessageType.compress.rawValue)
                compressed.withUnsafeBytes {
                    CompressedPayload.encode(algorithm: security.compressionAlgorithm.rawValue, buffer: $0, into: &out)
                }
            }
            if security.encryptsOutgoing, let keyring = security.keyring {
                let plaintextLength = out.count - bodyStart
                let length = encryptedLength(plaintextLength: plaintextLength, version: security.encryptionVersion)
                let sealed: [UInt8]
                do {
                    let aad = EncryptionAAD.stream(length: UInt32(truncatingIfNeeded: length), label: security.label)
                    sealed = try out.withUnsafeBytes { (raw) throws(EncryptionError) in
                        try aad.withTypedUnsafeBytes { (aad) throws(EncryptionError) in
                            try keyring.encrypt(UnsafeRawBufferPointer(rebasing: raw[bodyStart...]), version: security.encryptionVersion,
                                                additionalData: aad)
                        }
                    }
                } catch {
                    throw StreamError.encryptionFailed(reason: String(describing: error))
                }
                guard sealed.count == length else {
                    throw StreamError.encryptionFailed(reason: "sealed \(sealed.count) bytes, framed LEN \(length)")
                }
                out.truncate(to: bodyStart)
                out.append(MessageType.encrypt.rawValue)
                out.append(bigEndian: UInt32(length))
                out.append(contentsOf: sealed)
            }
        } catch {
            out.truncate(to: start)
            throw error
        }
    }

    /// LEN of an encrypted frame: vsn + nonce + plaintext (+ PKCS#7 padding at vsn 0) + tag (§4.1, §5).
    public static func encryptedLength(plaintextLength: Int, version: EncryptionVersion) -> Int {
        Keyring.encryptedLength(version, plaintextCount: plaintextLength)
    }
}
