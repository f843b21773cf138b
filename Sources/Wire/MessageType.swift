/// The first byte of every memberlist message (memberlist-wire.md §1).
public enum MessageType: UInt8, Sendable, CaseIterable {
    case ping = 0
    case indirectPing = 1
    case ack = 2
    case suspect = 3
    case alive = 4
    case dead = 5
    case pushPull = 6
    case compound = 7
    case user = 8
    case compress = 9
    case encrypt = 10
    case nack = 11
    case hasCrc = 12
    case err = 13
    /// Chosen so it cannot be confused with an encryption version byte or a type (§1).
    case hasLabel = 244
}
