import Testing
@testable import Transport

/// The pool behind the dskit plain-TCP inbound slots (issue #4: reuse, bounded, never waits).
@Suite struct BoundedObjectPoolTests {
    final class Thing {}

    @Test func createsOnDemandUpToTheLimitThenRefuses() {
        var made = 0
        let pool = BoundedObjectPool<Thing>(limit: 2) {
            made += 1
            return Thing()
        }
        #expect(made == 0)
        let first = pool.take()
        let second = pool.take()
        #expect(first != nil && second != nil && first !== second)
        #expect(pool.take() == nil)
        #expect(made == 2)
        #expect(pool.inUse == 2)
    }

    @Test func givenBackObjectsAreReusedNotRemade() throws {
        var made = 0
        let pool = BoundedObjectPool<Thing>(limit: 1) {
            made += 1
            return Thing()
        }
        let first = try #require(pool.take())
        pool.give(first)
        #expect(pool.inUse == 0)
        for _ in 0..<5 {
            let again = try #require(pool.take())
            #expect(again === first)
            pool.give(again)
        }
        #expect(made == 1)
        #expect(pool.created == 1)
    }

    @Test func zeroOrNegativeLimitRefusesEverything() {
        let pool = BoundedObjectPool<Thing>(limit: -3) { Thing() }
        #expect(pool.limit == 0)
        #expect(pool.take() == nil)
    }
}
