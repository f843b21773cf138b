import Membership
import Simulation
import Testing

@Suite struct RandomGeneratorTests {
    @Test func splitMixMatchesReferenceOutputForSeedZero() {
        // Reference: Vigna's splitmix64.c with x = 0 yields 0xE220A8397B1DCDAF first.
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func sameSeedGivesSameSequenceAndDifferentSeedsDiffer() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var c = SeededRandom(seed: 43)
        let first = (0..<64).map { _ in a.next() }
        #expect(first == (0..<64).map { _ in b.next() })
        #expect(first != (0..<64).map { _ in c.next() })
        #expect(Set(first).count == 64)
    }

    @Test func unitIntervalIsUniformEnough() {
        var generator = SeededRandom(seed: 7)
        var buckets = [Int](repeating: 0, count: 10)
        let draws = 100_000
        for _ in 0..<draws {
            let value = generator.nextUnitInterval()
            #expect(value >= 0 && value < 1)
            buckets[Int(value * 10)] += 1
        }
        // Each bucket expects 10,000 (sd ≈ 95); 5 sd is a generous bound.
        for count in buckets {
            #expect(abs(count - draws / 10) < 500, "bucket count \(count)")
        }
    }

    @Test func seedParsingAcceptsDecimalAndHex() {
        #expect(SimulationSeed(parsing: "12345")?.value == 12345)
        #expect(SimulationSeed(parsing: " 0x1F\n")?.value == 31)
        #expect(SimulationSeed(parsing: "seven") == nil)
        #expect(SimulationSeed(parsing: "-1") == nil)
        #expect(SimulationSeed(12345).description == "seed=12345")
    }
}
