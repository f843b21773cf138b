/// Encoding of one whole message: type byte, then its body (memberlist-wire.md §1).
extension Message {
    /// Appends the message as it travels in a packet: `type body`. A user message is
    /// `08 raw` (§3.6); push/pull is `06 header nodes userState` (§4.2). For the stream
    /// form of a user message (`08 {UserMsgLen} raw`) use `encodeForStream(into:)`.
    public func encode(into buffer: inout WireBuffer) {
        buffer.append(type.rawValue)
        switch self {
        case .ping(let body): body.encode(into: &buffer)
        case .indirectPing(let body): body.encode(into: &buffer)
        case .ack(let body): body.encode(into: &buffer)
        case .nack(let body): body.encode(into: &buffer)
        case .suspect(let body): body.encode(into: &buffer)
        case .alive(let body): body.encode(into: &buffer)
        case .dead(let body): body.encode(into: &buffer)
        case .user(let raw): buffer.append(contentsOf: raw)
        case .pushPull(let body): body.encode(into: &buffer)
        case .error(let body): body.encode(into: &buffer)
        }
    }

    /// Appends the message as it travels on a stream: like `encode(into:)` except that a
    /// user message carries a length header, `08 {UserMsgLen} raw` (§4.3).
    public func encodeForStream(into buffer: inout WireBuffer) {
        if case .user(let raw) = self {
            buffer.append(MessageType.user.rawValue)
            UserMessageHeader(userMessageLength: raw.count).encode(into: &buffer)
            buffer.append(contentsOf: raw)
        } else {
            encode(into: &buffer)
        }
    }

    /// The packet form as an array (allocates; for tests and slow paths).
    public var encodedBytes: [UInt8] {
        var buffer = WireBuffer()
        encode(into: &buffer)
        return buffer.bytes
    }
}
