/// `errResp` (type 13), memberlist-wire.md §4.5: a stream server's reply when it cannot read a request.
public struct ErrorResponse: Hashable, Sendable {
    public var error: String

    public init(error: String) { self.error = error }
}
