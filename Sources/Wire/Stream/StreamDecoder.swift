/// Incremental reader of one stream direction (memberlist-wire.md §4): feed it
/// everything received so far (from the start of the stream, or from just after
/// the last message it returned) and it answers nil (need more bytes) or the
/// message and how many bytes it consumed. Limits are enforced as soon as the
/// declaring header is readable: encrypted LEN ≤ 20 MiB, Nodes ≤ 1,048,576,
/// UserStateLen ≤ 20 MiB, UserMsgLen ≤ 20 MiB, decompressed ≤ 40 MiB (one
/// decompression per message, so also the stream's total inflation).
///
/// Decoding is incremental (issue #12): until a frame is complete, each call only
/// scans the bytes that arrived since the last one (`FrameScan`, with a resumable
/// `MessagePackSkipper`), and the frame is decoded once, when its end is known and
/// buffered. A peer trickling a large push/pull costs linear, not quadratic, time.
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
    /// How far the current frame has been scanned.
    private var scan = FrameScan.start
    /// Complete frames decoded so far: one per message returned (or refused), never one
    /// per readable event, whatever the peer's trickle rate (issue #12).
    public private(set) var framesDecoded = 0
    /// Bytes the last `decode` call inflated (0 unless it completed a compressed frame; the
    /// limit itself when inflation stopped there), for the node's stream budget.
    public private(set) var inflatedBytes = 0

    /// Progress through one frame; offsets are relative to the buffer given to `decode`.
    private enum FrameScan: Sendable {
        /// Nothing scanned yet: the frame's first byte decides.
        case start
        /// Skipping a run of msgpack values; `next` says what their end means.
        case skipping(MessagePackSkipper, next: AfterRun)
        /// The frame ends at this offset.
        case bounded(end: Int)
    }

    /// What follows a skipped msgpack run.
    private enum AfterRun: Sendable {
        /// The frame ends with the run (ping, ack, err bodies; a compress map).
        case frameEnds
        /// The run was a userMsgHeader starting at `start`; UserMsgLen raw bytes follow (§4.3).
        case userHeader(start: Int)
        /// The run was a pushPullHeader starting at `start`; Nodes states follow (§4.2).
        case pushPullHeader(start: Int)
        /// The run was the node states; UserStateLen raw bytes follow (§4.2).
        case pushPullNodes(userStateLength: Int)
    }

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
    /// Between calls that return nil the caller must not drop bytes from the front.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(StreamError) -> (message: Message, consumed: Int)? {
        inflatedBytes = 0
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
        guard let end = try frameEnd(bytes, frameStart: position), end <= bytes.count else {
            guard bytes.count <= maxBufferedBytes else { throw .messageTooLarge(buffered: bytes.count, limit: maxBufferedBytes) }
            return nil
        }
        framesDecoded += 1
        guard let result = try decodeFrame(UnsafeRawBufferPointer(rebasing: bytes[position..<end]), label: label),
              result.consumed == end - position else {
            // The scan and the decoder disagree on where the frame ends: the bytes are malformed.
            throw .message(.truncatedPayload(field: "frame", declared: end - position, available: end - position))
        }
        scan = .start
        expectsLabel = false
        aadLabel = label
        return (result.message, end)
    }

    /// Advances the scan of the frame starting at `frameStart` over the bytes that arrived
    /// since the last call; the frame's end offset once known (it may lie beyond `bytes`).
    private mutating func frameEnd(_ bytes: UnsafeRawBufferPointer, frameStart: Int) throws(StreamError) -> Int? {
        while true {
            switch scan {
            case .bounded(let end):
                guard end - frameStart <= maxBufferedBytes else { throw .messageTooLarge(buffered: end - frameStart, limit: maxBufferedBytes) }
                return end
            case .start:
                guard frameStart < bytes.count else { return nil }
                let first = bytes[frameStart]
                if first == MessageType.encrypt.rawValue {
                    guard security.keyring != nil else { throw .encryptedWithoutKeyring }
                    guard bytes.count - frameStart >= 5 else { return nil }
                    var length = 0
                    for index in 1...4 { length = length << 8 | Int(bytes[frameStart + index]) }
                    guard length <= WireLimits.maxEncryptedStreamLength else {
                        throw .encryptedLengthTooLarge(length: length, limit: WireLimits.maxEncryptedStreamLength)
                    }
                    scan = .bounded(end: frameStart + 5 + length)
                    continue
                }
                if security.keyring != nil && security.verifyIncoming { throw .plaintextRefused }
                let bodyStart = frameStart + 1
                if first == MessageType.compress.rawValue {
                    scan = .skipping(MessagePackSkipper(values: 1, from: bodyStart), next: .frameEnds)
                    continue
                }
                guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
                guard Self.isAllowedOnStream(type) else { throw .disallowedType(type) }
                let next: AfterRun = switch type {
                case .user: .userHeader(start: bodyStart)
                case .pushPull: .pushPullHeader(start: bodyStart)
                default: .frameEnds
                }
                scan = .skipping(MessagePackSkipper(values: 1, from: bodyStart), next: next)
            case .skipping(var skipper, let next):
                let complete: Bool
                do { complete = try skipper.advance(bytes) } catch { throw .message(.field(message: "stream", field: "<frame>", error)) }
                guard complete else {
                    scan = .skipping(skipper, next: next)
                    return nil
                }
                let runEnd = skipper.offset
                switch next {
                case .frameEnds:
                    scan = .bounded(end: runEnd)
                case .userHeader(let start):
                    var reader = MessagePackReader(UnsafeRawBufferPointer(rebasing: bytes[start..<runEnd]))
                    let length: Int
                    do { length = try UserMessageHeader.decode(from: &reader).userMessageLength } catch { throw .message(error) }
                    guard length >= 0, length <= WireLimits.maxUserMessageLength else {
                        throw .message(.limitExceeded(field: "UserMsgLen", limit: WireLimits.maxUserMessageLength, found: length))
                    }
                    scan = .bounded(end: runEnd + length)
                case .pushPullHeader(let start):
                    var reader = MessagePackReader(UnsafeRawBufferPointer(rebasing: bytes[start..<runEnd]))
                    let header: PushPullHeader
                    do { header = try PushPullHeader.decode(from: &reader) } catch { throw .message(error) }
                    guard header.nodes >= 0, header.nodes <= WireLimits.maxPushPullNodes else {
                        throw .message(.limitExceeded(field: "Nodes", limit: WireLimits.maxPushPullNodes, found: header.nodes))
                    }
                    guard header.userStateLength >= 0, header.userStateLength <= WireLimits.maxUserStateLength else {
                        throw .message(.limitExceeded(field: "UserStateLen", limit: WireLimits.maxUserStateLength,
                                                      found: header.userStateLength))
                    }
                    scan = .skipping(MessagePackSkipper(values: header.nodes, from: runEnd),
                                     next: .pushPullNodes(userStateLength: header.userStateLength))
                case .pushPullNodes(let userStateLength):
                    scan = .bounded(end: runEnd + userStateLength)
                }
            }
        }
    }

    /// One complete frame after the label (its end found by `frameEnd`): encrypted,
    /// compressed or plain. Returns nil only for an empty buffer.
    mutating func decodeFrame(_ bytes: UnsafeRawBufferPointer, label: [UInt8]) throws(StreamError) -> (message: Message, consumed: Int)? {
        guard let first = bytes.first else { return nil }
        guard first == MessageType.encrypt.rawValue else {
            if security.keyring != nil && security.verifyIncoming { throw .plaintextRefused }
            return try decodeUnencrypted(bytes, allowCompressed: true)
        }
        guard let keyring = security.keyring else { throw .encryptedWithoutKeyring }
        guard bytes.count >= 5 else { throw .message(.truncatedPayload(field: "LEN", declared: 4, available: bytes.count - 1)) }
        let length = Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
        guard length <= WireLimits.maxEncryptedStreamLength else {
            throw .encryptedLengthTooLarge(length: length, limit: WireLimits.maxEncryptedStreamLength)
        }
        guard bytes.count - 5 >= length else {
            throw .message(.truncatedPayload(field: "ciphertext", declared: length, available: bytes.count - 5))
        }
        let plain: [UInt8]
        do {
            plain = try EncryptionAAD.stream(length: UInt32(length), label: label).withTypedUnsafeBytes { (aad) throws(EncryptionError) in
                try keyring.decrypt(UnsafeRawBufferPointer(rebasing: bytes[5..<(5 + length)]), additionalData: aad)
            }
        } catch {
            throw .decryptionFailed(reason: String(describing: error))
        }
        let message = try plain.withTypedUnsafeBytes { (raw) throws(StreamError) in
            try decodeUnencrypted(raw, allowCompressed: true).message
        }
        return (message, 5 + length)
    }

    /// A plain or compressed message whose bytes are all present; a compress message is
    /// inflated (at most `security.decompressionLimit`) and its content must be plain.
    mutating func decodeUnencrypted(_ bytes: UnsafeRawBufferPointer, allowCompressed: Bool) throws(StreamError) -> (message: Message, consumed: Int) {
        guard let first = bytes.first else { throw .message(.empty) }
        if first == MessageType.compress.rawValue {
            guard allowCompressed else { throw .disallowedType(.compress) }
            var reader = MessagePackReader(bytes, offset: 1)
            var decompressed: Result<[UInt8], CompressionError> = .failure(.emptyOutput)
            let limit = security.decompressionLimit
            do {
                try CompressedPayload.decode(from: &reader) { algorithm, buffer in
                    do throws(CompressionError) {
                        decompressed = .success(try Decompressor.decompress(algorithm: algorithm, buffer, limit: limit))
                    } catch {
                        decompressed = .failure(error)
                    }
                }
            } catch {
                throw .message(error)
            }
            let plain: [UInt8]
            do { plain = try decompressed.get() } catch {
                if case .outputLimitExceeded = error { inflatedBytes += limit }
                throw .decompression(error)
            }
            inflatedBytes += plain.count
            let message = try plain.withTypedUnsafeBytes { (raw) throws(StreamError) in
                try decodeUnencrypted(raw, allowCompressed: false).message
            }
            return (message, reader.offset)
        }
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
        guard Self.isAllowedOnStream(type) else { throw .disallowedType(type) }
        do {
            return try Message.decodeStreamMessage(bytes)
        } catch {
            throw .message(error)
        }
    }
}
