/// When each node first received one piece of news (a user broadcast, an
/// alive update), relative to when it was created, and the quantiles the
/// propagation table reports (docs/propagation.md).
public struct PropagationTimeline: Sendable {
    /// When the news was created (queued at its origin).
    public var origin: VirtualInstant
    /// How many nodes should receive it (the origin counts as one when included by the caller).
    public var population: Int
    /// First receipt per node, in arrival order.
    public private(set) var arrivals: [VirtualInstant] = []
    private var reached: Set<NodeID> = []

    public init(origin: VirtualInstant, population: Int) { (self.origin, self.population) = (origin, population) }

    /// Records a receipt; later receipts by the same node are ignored.
    public mutating func record(_ node: NodeID, at time: VirtualInstant) {
        guard reached.insert(node).inserted else { return }
        arrivals.append(time)
    }

    public var reachedCount: Int { reached.count }
    public var isComplete: Bool { reached.count >= population }

    public func hasReached(_ node: NodeID) -> Bool { reached.contains(node) }

    /// Time after `origin` by which at least `fraction` of the population had
    /// the news (the ceil(fraction × population)-th arrival), nil if not yet.
    public func timeToReach(fraction: Double) -> VirtualDuration? {
        guard population > 0 else { return .zero }
        // The epsilon keeps 0.99 × 100 (= 99.000…01 in binary) at 99.
        let needed = max(1, Int((fraction * Double(population) - 1e-9).rounded(.up)))
        guard needed <= arrivals.count else { return nil }
        let sorted = arrivals.sorted()
        return sorted[needed - 1].since(origin)
    }
}
