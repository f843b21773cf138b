/// How fast packets may inflate on this node: the loop-time half of the
/// decompression limits (issue #12, "decoding a packet has a CPU budget that
/// cannot stall the loop"; ARCHITECTURE.md "Errors and bad input").
///
/// A packet's inflation is always capped at `packetLimit`, what a sender on this
/// transport could have built (`WireLimits.maxDatagramInflation` for UDP, dskit's
/// packet limit for TCP). Inflating costs loop time in proportion to the output
/// (LZW decodes at roughly 250-400 MB/s here, docs/limits.md), and a hostile peer
/// gets a 1,000:1 ratio from LZW, so a flood of small packets that each inflate to
/// the cap would keep the loop busy. So the first `freeBytesPerPacket` of every
/// packet are free (pings, acks and ordinary gossip never wait), and only what a
/// packet inflates beyond that draws on a token bucket refilled at
/// `refillBytesPerSecond` and holding at most one full packet. A packet that would
/// need more than the bucket holds is dropped (counted as "inflation"), so large
/// inflation takes a bounded share of the loop however fast it arrives.
///
/// Pure: time is passed in as monotonic nanoseconds.
public struct InflationBudget: Sendable {
    /// Inflation every packet may use without drawing on the bucket.
    public static let freeBytesPerPacket = 64 * 1024
    /// Default refill rate: about a tenth of the loop at the LZW rate above.
    public static let defaultRefillBytesPerSecond = 32 * 1024 * 1024

    /// The most one packet may inflate to, and the bucket's size.
    public let packetLimit: Int
    public let refillBytesPerSecond: Int
    private var tokens: Int
    private var refilledAt: Int64

    /// A full bucket at `now`.
    public init(packetLimit: Int, refillBytesPerSecond: Int = InflationBudget.defaultRefillBytesPerSecond, now: Int64) {
        self.packetLimit = max(0, packetLimit)
        self.refillBytesPerSecond = max(0, refillBytesPerSecond)
        tokens = self.packetLimit
        refilledAt = now
    }

    /// The inflation limit for a packet decoded at `now`.
    public mutating func limit(at now: Int64) -> Int {
        refill(at: now)
        return min(packetLimit, Self.freeBytesPerPacket + tokens)
    }

    /// Charges what a packet inflated (from `PacketWorkspace.inflatedBytes`).
    public mutating func charge(_ inflated: Int) {
        tokens = max(0, tokens - max(0, inflated - Self.freeBytesPerPacket))
    }

    private mutating func refill(at now: Int64) {
        guard now > refilledAt else { return }
        let elapsed = now - refilledAt
        // Whole bytes earned so far; the remainder of the interval is kept for the next call.
        let (product, overflow) = elapsed.multipliedReportingOverflow(by: Int64(refillBytesPerSecond))
        let earned = overflow ? Int64(packetLimit) : product / 1_000_000_000
        guard earned > 0 else { return }
        if earned >= Int64(packetLimit - tokens) {
            tokens = packetLimit
            refilledAt = now
        } else {
            tokens += Int(earned)
            refilledAt += earned * 1_000_000_000 / Int64(max(1, refillBytesPerSecond))
        }
    }
}
