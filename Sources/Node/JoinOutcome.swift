/// The result of a join (memberlist `Join`, memberlist-wire.md §9): how many
/// seeds answered a push/pull, and why the others failed. Go returns an error
/// only when `successes == 0`.
public struct JoinOutcome: Hashable, Sendable {
    public var successes: Int
    public var failures: [String]

    public init(successes: Int, failures: [String]) { (self.successes, self.failures) = (successes, failures) }
}
