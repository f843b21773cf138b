/// Decoding of one whole plain message (memberlist-wire.md §1). Framing types
/// (compound, compress, encrypt, hasCrc, hasLabel) are the packet and stream
/// layers' business and are reported as `.notAMessage`.
extension Message {
    /// Decodes `type body` as carried in a packet (a user message is `08 raw`).
    /// Bytes after a msgpack body are ignored, as Go's decoder ignores them.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(MessageDecodeError) -> Message {
        guard let first = bytes.first else { throw .empty }
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
        var reader = MessagePackReader(bytes, offset: 1)
        return try decodeBody(type: type, from: &reader, userForm: .packet)
    }

    /// As `decode(_:)`, reading node names through `names` (moved into the reader for the
    /// call and back), so names it has cached decode without allocating.
    public static func decode(_ bytes: UnsafeRawBufferPointer, names: inout NodeNameInterner) throws(MessageDecodeError) -> Message {
        guard let first = bytes.first else { throw .empty }
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
        var reader = MessagePackReader(bytes, offset: 1)
        switch type {
        case .ack, .nack, .user:
            // No names to read: skip moving the table (acks are half of all packets).
            return try decodeBody(type: type, from: &reader, userForm: .packet)
        default:
            // Swapped, not copied, so the table stays uniquely referenced.
            swap(&reader.nameInterner, &names)
            defer { swap(&reader.nameInterner, &names) }
            return try decodeBody(type: type, from: &reader, userForm: .packet)
        }
    }

    /// Decodes `type body` as carried on a stream (a user message is `08 {UserMsgLen} raw`).
    public static func decodeStreamMessage(_ bytes: UnsafeRawBufferPointer) throws(MessageDecodeError) -> (message: Message, consumed: Int) {
        guard let first = bytes.first else { throw .empty }
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
        var reader = MessagePackReader(bytes, offset: 1)
        let message = try decodeBody(type: type, from: &reader, userForm: .stream)
        return (message, reader.offset)
    }

    /// Convenience for arrays (tests and slow paths).
    public static func decode(_ bytes: [UInt8]) throws(MessageDecodeError) -> Message {
        var result: Result<Message, MessageDecodeError> = .failure(.empty)
        bytes.withUnsafeBytes { raw in
            do throws(MessageDecodeError) { result = .success(try decode(raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// How a user message's body is framed.
    public enum UserMessageForm: Sendable {
        /// `08 raw`: everything after the type byte (§3.6).
        case packet
        /// `08 {UserMsgLen} raw` (§4.3).
        case stream
    }

    /// Decodes the body of a message whose type byte has been read.
    public static func decodeBody(type: MessageType, from reader: inout MessagePackReader,
                                  userForm: UserMessageForm) throws(MessageDecodeError) -> Message {
        switch type {
        case .ping: return .ping(try Ping.decode(from: &reader))
        case .indirectPing: return .indirectPing(try IndirectPingRequest.decode(from: &reader))
        case .ack: return .ack(try AckResponse.decode(from: &reader))
        case .nack: return .nack(try NackResponse.decode(from: &reader))
        case .suspect: return .suspect(try Suspect.decode(from: &reader))
        case .alive: return .alive(try Alive.decode(from: &reader))
        case .dead: return .dead(try Dead.decode(from: &reader))
        case .err: return .error(try ErrorResponse.decode(from: &reader))
        case .pushPull: return .pushPull(try PushPullState.decode(from: &reader))
        case .user:
            switch userForm {
            case .packet:
                let rest = reader.remaining
                do { return .user([UInt8](try reader.readRawBytes(count: rest))) } catch {
                    throw .field(message: "user", field: "<raw>", error)
                }
            case .stream:
                let header = try UserMessageHeader.decode(from: &reader)
                let length = header.userMessageLength
                guard length >= 0, length <= WireLimits.maxUserMessageLength else {
                    throw .limitExceeded(field: "UserMsgLen", limit: WireLimits.maxUserMessageLength, found: length)
                }
                guard reader.remaining >= length else {
                    throw .truncatedPayload(field: "UserMsg", declared: length, available: reader.remaining)
                }
                do { return .user([UInt8](try reader.readRawBytes(count: length))) } catch {
                    throw .field(message: "user", field: "<raw>", error)
                }
            }
        case .compound, .compress, .encrypt, .hasCrc, .hasLabel:
            throw .notAMessage(type)
        }
    }
}
