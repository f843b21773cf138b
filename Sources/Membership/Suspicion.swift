import MonotonicTime

/// One Lifeguard suspicion timer (memberlist-wire.md §7.5): starts at max
/// (min when k < 1) and shrinks as distinct peers confirm the suspicion.
struct Suspicion {
    /// Confirmations wanted before the timeout reaches min.
    let k: Int
    let minimum: Int64
    let maximum: Int64
    let start: MonotonicInstant
    /// Distinguishes this suspicion's timer firings from older ones.
    let generation: UInt64
    /// Independent confirmations so far (the accuser is not counted).
    private(set) var confirmations = 0
    /// Who has accused the node, including the original accuser.
    private var accusers: Set<String>
    /// When the node is declared dead unless refuted first.
    private(set) var deadline: MonotonicInstant

    init(from accuser: String, k: Int, minimum: Int64, maximum: Int64, start: MonotonicInstant, generation: UInt64) {
        self.k = k
        self.minimum = minimum
        self.maximum = maximum
        self.start = start
        self.generation = generation
        accusers = [accuser]
        deadline = start.advanced(byNanoseconds: k < 1 ? minimum : maximum)
    }

    /// Count a confirmation from `accuser`; true if it was new (then the
    /// deadline moved and the suspect message is worth re-gossiping).
    mutating func confirm(from accuser: String) -> Bool {
        guard confirmations < k else { return false }
        guard accusers.insert(accuser).inserted else { return false }
        confirmations += 1
        let timeout = MembershipTiming.suspicionTimeout(confirmations: confirmations, k: k,
                                                        minimum: minimum, maximum: maximum)
        deadline = start.advanced(byNanoseconds: timeout)
        return true
    }
}
