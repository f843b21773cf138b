import Config
import Membership
import Testing
@testable import Node

/// dskit's full-join backoff (dskit-kv-ring.md §4 "Full join"), without a loop.
@Suite struct JoinScheduleTests {
    @Test func rangeDoublesFromTheMinimumAndIsCappedAtTheMaximum() {
        let schedule = JoinSchedule(maxAttempts: 10, minBackoff: .seconds(1), maxBackoff: .seconds(10))
        let ranges = (1...9).map { schedule.backoffRange(afterFailedAttempt: $0) }
        let expected: [(Duration, Duration)] = [
            (.seconds(1), .seconds(2)), (.seconds(2), .seconds(4)), (.seconds(4), .seconds(8)),
            (.seconds(8), .seconds(10)), (.seconds(10), .seconds(10)), (.seconds(10), .seconds(10)),
            (.seconds(10), .seconds(10)), (.seconds(10), .seconds(10)), (.seconds(10), .seconds(10)),
        ]
        #expect(ranges.map { $0?.lower } == expected.map { $0.0 })
        #expect(ranges.map { $0?.upper } == expected.map { $0.1 })
    }

    @Test func noWaitAfterTheLastAttempt() {
        let schedule = JoinSchedule(maxAttempts: 3, minBackoff: .seconds(1), maxBackoff: .seconds(60))
        #expect(schedule.backoffRange(afterFailedAttempt: 2) != nil)
        #expect(schedule.backoffRange(afterFailedAttempt: 3) == nil)
        var random = SeededRandom(seed: 1)
        #expect(schedule.backoff(afterFailedAttempt: 3, using: &random) == nil)
        // Zero retries configured still makes one attempt, and no retry.
        #expect(JoinSchedule(maxAttempts: 0, minBackoff: .seconds(1), maxBackoff: .seconds(2)).maxAttempts == 1)
    }

    @Test func drawnWaitsStayInTheirRangeAndVary() {
        let schedule = JoinSchedule(maxAttempts: 10, minBackoff: .milliseconds(100), maxBackoff: .seconds(1))
        var random = SeededRandom(seed: 7)
        for attempt in 1...9 {
            guard let (lower, upper) = schedule.backoffRange(afterFailedAttempt: attempt) else {
                Issue.record("attempt \(attempt) has no range")
                continue
            }
            var draws: Set<Duration> = []
            for _ in 0..<50 {
                guard let wait = schedule.backoff(afterFailedAttempt: attempt, using: &random) else { continue }
                draws.insert(wait)
                #expect(wait >= lower && (wait < upper || (lower == upper && wait == lower)), "attempt \(attempt): \(wait)")
            }
            #expect(lower == upper ? draws == [lower] : draws.count > 10, "attempt \(attempt) draws \(draws.count)")
        }
    }

    @Test func flagsMapOntoTheSchedule() throws {
        let config = try NodeConfig.parse(["-memberlist.max-join-retries=4", "-memberlist.min-join-backoff=200ms",
                                           "-memberlist.max-join-backoff=3s"])
        #expect(JoinSchedule(config) == JoinSchedule(maxAttempts: 4, minBackoff: .milliseconds(200), maxBackoff: .seconds(3)))
    }
}
