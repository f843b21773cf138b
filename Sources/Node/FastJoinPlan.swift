/// dskit's fast join at start (dskit-kv-ring.md §4 phase 1): seeds are tried
/// one at a time, in random order, until `retransmit_factor × ceil(log10(found+1))`
/// members answered or the list is exhausted. Pure: the node runs the joins.
public struct FastJoinPlan: Hashable, Sendable {
    /// Members to reach before stopping early.
    public let target: Int

    public init(retransmitFactor: Int, found: Int) {
        target = retransmitFactor * Self.ceilLog10(found + 1)
    }

    /// ceil(log10(n)) for n ≥ 1, in integers: the number of decimal digits of n - 1.
    static func ceilLog10(_ n: Int) -> Int {
        var digits = 0
        var rest = n - 1
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        return digits
    }

    /// Whether to try another seed after `reached` members answered with `remaining` seeds left.
    public func continues(reached: Int, remaining: Int) -> Bool { reached < target && remaining > 0 }
}
