import Benchmark
import MallocInterposerSwift

/// Exact number of heap allocations made by the 1,000 operations of one sample.
///
/// package-benchmark's `mallocCountTotal` divides a sample's count by the scaling
/// factor and rounds, and every sample carries the harness's own ~16 allocations, so a
/// "0" there means "less than half an allocation per operation". This metric is read
/// from the same malloc interposer around the operation loop only, so 0 means that not
/// one of the sample's operations allocated (ARCHITECTURE.md, "The event loop owns the
/// hot path": the steady state makes no heap allocation per packet).
public let exactMallocsPerThousand = BenchmarkMetric.custom("Mallocs in 1,000 ops (exact)", polarity: .prefersSmaller,
                                                           useScalingFactor: false)

/// Operations of up to a few microseconds: 1,000 per sample so that the clock's
/// resolution and the harness's own cost do not dominate; metrics are per operation.
public var thousandOperations: Benchmark.Configuration {
    .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput, exactMallocsPerThousand],
          warmupIterations: 3, scalingFactor: .kilo, maxDuration: .seconds(1), maxIterations: 1_000)
}

/// Runs `operation` once per scaled iteration (1,000 times) inside the measured region
/// and records `exactMallocsPerThousand` for the loop.
@inline(__always)
public func measure(_ benchmark: Benchmark, _ operation: () throws -> Void) rethrows {
    benchmark.startMeasurement()
    let before = MallocInterposerSwift.getStatistics().mallocCount
    for _ in benchmark.scaledIterations { try operation() }
    let after = MallocInterposerSwift.getStatistics().mallocCount
    benchmark.stopMeasurement()
    benchmark.measurement(exactMallocsPerThousand, after - before)
}

/// Exact number of heap allocations made by the single operation of one sample.
public let exactMallocsPerOperation = BenchmarkMetric.custom("Mallocs in 1 op (exact)", polarity: .prefersSmaller,
                                                            useScalingFactor: false)

/// Operations that need fresh state prepared before each run (a refilled queue):
/// one operation per sample, the preparation outside the measured region.
public var singleOperation: Benchmark.Configuration {
    .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput, exactMallocsPerOperation],
          warmupIterations: 3, scalingFactor: .one, maxDuration: .seconds(1), maxIterations: 2_000)
}

/// Runs `prepare` unmeasured, then `operation` once measured, recording `exactMallocsPerOperation`.
/// `mallocCountTotal` of such a sample includes the harness's own ~16 allocations; the exact
/// metric does not.
@inline(__always)
public func measureOnce(_ benchmark: Benchmark, prepare: () throws -> Void, _ operation: () throws -> Void) rethrows {
    try prepare()
    benchmark.startMeasurement()
    let before = MallocInterposerSwift.getStatistics().mallocCount
    try operation()
    let after = MallocInterposerSwift.getStatistics().mallocCount
    benchmark.stopMeasurement()
    benchmark.measurement(exactMallocsPerOperation, after - before)
}
