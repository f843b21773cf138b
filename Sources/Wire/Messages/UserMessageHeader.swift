/// `userMsgHeader`: the length prefix of a reliable (stream) user message,
/// `08 {UserMsgLen} raw` (memberlist-wire.md §4.3).
public struct UserMessageHeader: Hashable, Sendable, MessagePackStruct {
    public var userMessageLength: Int

    public init(userMessageLength: Int) { self.userMessageLength = userMessageLength }

    public static var goName: String { "userMsgHeader" }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 1)
        buffer.writeKey("UserMsgLen"); buffer.writeInt(Int64(userMessageLength))
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> UserMessageHeader {
        var header = UserMessageHeader(userMessageLength: 0)
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            guard key.matches("UserMsgLen") else { return false }
            header.userMessageLength = try reader.readInt()
            return true
        }
        return header
    }
}
