/// Delays counted into Prometheus's default buckets (client_golang `DefBuckets`, 5 ms to
/// 10 s), as dskit's `memberlist_propagation_tracker_delay_seconds` histogram counts them
/// (dskit-kv-ring.md 8). Whole milliseconds: beacon times are Unix milliseconds, so the
/// bounds compare exactly and the sum carries no rounding.
public struct DelayHistogram: Equatable, Sendable {
    /// Upper bounds (inclusive, Prometheus's `le`) in milliseconds; +Inf follows.
    public static let boundsMillis: [Int64] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    /// Observations per bucket, not cumulative; the last one is above every bound.
    public private(set) var bucketCounts = [Int](repeating: 0, count: boundsMillis.count + 1)
    public private(set) var count = 0
    public private(set) var sumMillis: Int64 = 0

    public init() {}

    public mutating func observe(millis: Int64) {
        let index = Self.boundsMillis.firstIndex { millis <= $0 } ?? Self.boundsMillis.count
        bucketCounts[index] += 1
        count += 1
        sumMillis &+= millis
    }

    /// Observations at or below each bound, then the total (`_bucket{le=...}` values).
    public var cumulativeCounts: [Int] {
        var running = 0
        return bucketCounts.map { count in
            running += count
            return running
        }
    }
}
