/// `errResp` body: Error (memberlist-wire.md §2.4, §4.5).
extension ErrorResponse: MessagePackStruct {
    public static var goName: String { "errResp" }

    public func encode(into buffer: inout WireBuffer) {
        buffer.writeMapHeader(count: 1)
        buffer.writeKey("Error"); buffer.writeString(error)
    }

    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> ErrorResponse {
        var response = ErrorResponse(error: "")
        try reader.decodeMap(goName) { (reader, key) throws(MessagePackError) -> Bool in
            guard key.matches("Error") else { return false }
            response.error = try reader.readString()
            return true
        }
        return response
    }
}
