/// Lifeguard local health ("awareness", memberlist-wire.md §7.1): a score in
/// [0, awarenessMaxMultiplier − 1] that slows probing when this node itself
/// seems unhealthy.
struct Awareness {
    let maximum: Int
    private(set) var score = 0

    init(maxMultiplier: Int) { maximum = Swift.max(1, maxMultiplier) }

    /// Add `delta`, clamped to [0, max − 1].
    mutating func apply(_ delta: Int) {
        score = Swift.min(Swift.max(score + delta, 0), maximum - 1)
    }
}
