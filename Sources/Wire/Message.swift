/// A decoded memberlist message after every framing layer (label, encryption,
/// CRC, compression, compound) has been removed: what the membership core
/// consumes and produces (memberlist-wire.md §1).
public enum Message: Hashable, Sendable {
    case ping(Ping)
    case indirectPing(IndirectPingRequest)
    case ack(AckResponse)
    case nack(NackResponse)
    case suspect(Suspect)
    case alive(Alive)
    case dead(Dead)
    /// A user message: raw bytes after the type byte (§3.6).
    case user([UInt8])
    /// Only on streams (§4.2).
    case pushPull(PushPullState)
    /// Only as a stream reply (§4.5).
    case error(ErrorResponse)

    public var type: MessageType {
        switch self {
        case .ping: .ping
        case .indirectPing: .indirectPing
        case .ack: .ack
        case .nack: .nack
        case .suspect: .suspect
        case .alive: .alive
        case .dead: .dead
        case .user: .user
        case .pushPull: .pushPull
        case .error: .err
        }
    }
}
