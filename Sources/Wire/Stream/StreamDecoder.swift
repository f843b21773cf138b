/// Incremental reader of one stream direction (memberlist-wire.md §4): feed it
/// everything received so far (from the start of the stream, or from just after
/// the last message it returned) and it answers nil (need more bytes) or the
/// message and how many bytes it consumed. Limits are enforced as soon as the
/// declaring header is readable: encrypted LEN ≤ 20 MiB, Nodes ≤ 1,048,576,
/// UserStateLen ≤ 20 MiB, UserMsgLen ≤ 20 MiB, decompressed ≤ 40 MiB.
///
/// A nil answer at end-of-stream means the peer closed mid-message.
public struct StreamDecoder: Sendable {
    public var security: PacketSecurity
    /// True until the first message on an accepted stream: it may start with a label header.
    public private(set) var expectsLabel: Bool
    /// The label used as encryption AAD (the verified inbound one, or the local one).
    public private(set) var aadLabel: [UInt8]
    /// Incomplete input beyond this many bytes is refused.
    public var maxBufferedBytes: Int

    /// - Parameter acceptedStream: true for the server side, whose stream may begin with the
    ///   dialer's label header; false when reading replies on a stream we dialled.
    public init(security: PacketSecurity, acceptedStream: Bool, maxBufferedBytes: Int = 64 * 1024 * 1024) {
        self.security = security
        self.expectsLabel = acceptedStream
        self.aadLabel = security.label
        self.maxBufferedBytes = maxBufferedBytes
    }

    /// Types a stream may carry after unwrapping: ping (request), ack (ping reply), pushPull,
    /// user and err (§4.2-4.5).
    public static func isAllowedOnStream(_ type: MessageType) -> Bool {
        switch type {
        case .ping, .ack, .pushPull, .user, .err: true
        default: false
        }
    }

    /// Decodes the next message from `bytes`, or returns nil when more bytes are needed.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(StreamError) -> (message: Message, consumed: Int)? {
        var position = 0
        var label = aadLabel
        if expectsLabel {
            guard let first = bytes.first else { return nil }
            var packetLabel = UnsafeRawBufferPointer(start: nil, count: 0)
            if first == MessageType.hasLabel.rawValue {
                guard bytes.count >= 2 else { return nil }
                let length = Int(bytes[1])
                guard length > 0 else { throw .label(.emptyLabel) }
                guard bytes.count >= 2 + length else { return nil }
                packetLabel = UnsafeRawBufferPointer(rebasing: bytes[2..<(2 + length)])
                position = 2 + length
            }
            do {
                label = try LabelHeader.verify(packetLabel: packetLabel, localLabel: security.label,
                                               skipInboundLabelCheck: security.skipInboundLabelCheck)
            } catch {
                throw .label(error)
            }
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[position...])
        guard let result = try decodeFrame(body, label: label) else {
            guard bytes.count <= maxBufferedBytes else { throw .messageTooLarge(buffered: bytes.count, limit: maxBufferedBytes) }
            return nil
        }
        expectsLabel = false
        aadLabel = label
        return (result.message, position + result.consumed)
    }

    /// One frame after the label: encrypted, compressed or plain.
    func decodeFrame(_ bytes: UnsafeRawBufferPointer, label: [UInt8]) throws(StreamError) -> (message: Message, consumed: Int)? {
        guard let first = bytes.first else { return nil }
        if first == MessageType.encrypt.rawValue {
            guard let keyring = security.keyring else { throw .encryptedWithoutKeyring }
            guard bytes.count >= 5 else { return nil }
            let length = Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
            guard length <= WireLimits.maxEncryptedStreamLength else {
                throw .encryptedLengthTooLarge(length: length, limit: WireLimits.maxEncryptedStreamLength)
            }
            guard bytes.count - 5 >= length else { return nil }
            let plain: [UInt8]
            do {
                plain = try EncryptionAAD.stream(length: UInt32(length), label: label).withTypedUnsafeBytes { (aad) throws(EncryptionError) in
                    try keyring.decrypt(UnsafeRawBufferPointer(rebasing: bytes[5..<(5 + length)]), additionalData: aad)
                }
            } catch {
                throw .decryptionFailed(reason: String(describing: error))
            }
            let message = try plain.withTypedUnsafeBytes { (raw) throws(StreamError) in try decodeComplete(raw, allowCompressed: true) }
            return (message, 5 + length)
        }
        if security.keyring != nil && security.verifyIncoming { throw .plaintextRefused }
        if first == MessageType.compress.rawValue {
            var reader = MessagePackReader(bytes, offset: 1)
            var decompressed: Result<[UInt8], CompressionError> = .failure(.emptyOutput)
            do {
                try CompressedPayload.decode(from: &reader) { algorithm, buffer in
                    do throws(CompressionError) {
                        decompressed = .success(try Decompressor.decompress(algorithm: algorithm, buffer, limit: security.decompressionLimit))
                    } catch {
                        decompressed = .failure(error)
                    }
                }
            } catch {
                if error.isTruncation { return nil }
                throw .message(error)
            }
            let plain: [UInt8]
            do { plain = try decompressed.get() } catch { throw .decompression(error) }
            let message = try plain.withTypedUnsafeBytes { (raw) throws(StreamError) in try decodeComplete(raw, allowCompressed: false) }
            return (message, reader.offset)
        }
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
        guard Self.isAllowedOnStream(type) else { throw .disallowedType(type) }
        do {
            return try Message.decodeStreamMessage(bytes)
        } catch {
            if error.isTruncation { return nil }
            throw .message(error)
        }
    }

    /// A message that must be complete (decrypted or decompressed bytes), optionally compressed once more.
    func decodeComplete(_ bytes: UnsafeRawBufferPointer, allowCompressed: Bool) throws(StreamError) -> Message {
        guard let first = bytes.first else { throw .message(.empty) }
        if first == MessageType.compress.rawValue {
            guard allowCompressed else { throw .disallowedType(.compress) }
            var reader = MessagePackReader(bytes, offset: 1)
            var decompressed: Result<[UInt8], CompressionError> = .failure(.emptyOutput)
            do {
                try CompressedPayload.decode(from: &reader) { algorithm, buffer in
                    do throws(CompressionError) {
                        decompressed = .success(try Decompressor.decompress(algorithm: algorithm, buffer, limit: security.decompressionLimit))
                    } catch {
                        decompressed = .failure(error)
                    }
                }
            } catch {
                throw .message(error)
            }
            let plain: [UInt8]
            do { plain = try decompressed.get() } catch { throw .decompression(error) }
            return try plain.withTypedUnsafeBytes { (raw) throws(StreamError) in try decodeComplete(raw, allowCompressed: false) }
        }
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
        guard Self.isAllowedOnStream(type) else { throw .disallowedType(type) }
        do {
            return try Message.decodeStreamMessage(bytes).message
        } catch {
            throw .message(error)
        }
    }
}
