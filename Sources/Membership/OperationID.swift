/// Identifies a join, leave or update so its completion effect can be matched.
public struct OperationID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "op\(rawValue)" }
}
