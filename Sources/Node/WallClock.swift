import Glibc
import Synchronization

/// The process's one reading of the wall clock (CLOCK_REALTIME): log timestamps, KV update
/// times, ring heartbeats and tracker beacons, which dskit writes as Unix time
/// (dskit-kv-ring.md 5.1). Timers never use it; they run on the monotonic clock, so a clock
/// step cannot make a probe or a suspicion fire early or late.
///
/// `step(byMillis:)` moves this process's reading as an NTP step moves the machine's: the
/// fault tests use it (stdin command `wall-clock-step`) to run one node of a real cluster
/// with a clock that jumps, which a statically linked binary cannot get from libfaketime.
public enum WallClock {
    private static let stepMillis = Atomic<Int64>(0)

    /// Unix milliseconds, with any step applied.
    public static func nowMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) &* 1000 &+ Int64(now.tv_nsec / 1_000_000) &+ stepMillis.load(ordering: .relaxed)
    }

    /// Moves every later reading by `millis` (negative: back in time); steps add up.
    public static func step(byMillis millis: Int64) {
        stepMillis.add(millis, ordering: .relaxed)
    }
}
