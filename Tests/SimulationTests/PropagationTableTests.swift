import Foundation
import Membership
import Simulation
import Testing

/// Regenerates the table in docs/propagation.md and checks it against
/// Serf's convergence model. Sizes and seed count come from the environment
/// so the full table (with 1,000 nodes) can be produced on demand:
///
///     PROPAGATION_SIZES=30,100,1000 PROPAGATION_SEEDS=5 \
///       swift test -c release -Xswiftc -enable-testing --filter propagationTable
///
/// The default (30 and 100 nodes, 3 seeds) keeps the regular suite quick.
@Suite struct PropagationTableTests {
    /// Serf's model for 200 ms gossip and 3 gossip nodes: 50%, 99%, 99.99% in seconds.
    static let serfModel: [Int: (Double, Double, Double)] = [
        30: (0.6, 1.2, 1.8), 100: (0.8, 1.4, 2.0), 1_000: (1.0, 1.6, 2.2),
    ]

    static func environmentList(_ name: String) -> [Int]? {
        ProcessInfo.processInfo.environment[name].map { $0.split(separator: ",").compactMap { Int($0) } }
    }

    @Test func propagationTable() throws {
        let sizes = Self.environmentList("PROPAGATION_SIZES") ?? [30, 100]
        let seedCount = Self.environmentList("PROPAGATION_SEEDS")?.first ?? 3
        let base = SimulationSeed.fromEnvironment(default: 2_000).value
        var rows: [String] = []
        for size in sizes {
            var broadcasts: [PropagationExperiment.Sample] = []
            var updates: [PropagationExperiment.Sample] = []
            for offset in 0..<UInt64(seedCount) {
                let seed = base &+ offset
                let result = try PropagationExperiment(nodeCount: size, samples: 5).run(seed: seed)
                #expect(result.converged, "n=\(size) did not converge seed=\(seed)")
                for sample in result.broadcasts + result.updates {
                    #expect(sample.p100 != nil, "n=\(size): news did not reach every node seed=\(seed)")
                }
                broadcasts += result.broadcasts
                updates += result.updates
            }
            let b = Self.means(broadcasts), u = Self.means(updates)
            let model = Self.serfModel[size].map { String(format: "%.1f / %.1f / %.1f", $0.0, $0.1, $0.2) } ?? "–"
            rows.append(String(format: "| %5d | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %@ |",
                               size, b.0, b.1, b.2, u.0, u.1, u.2, model))
            // Epidemic spread: half the cluster within a few gossip rounds and
            // everyone within a few seconds (Serf's model: ≤ 2.2 s for 99.99%).
            #expect(b.0 < 2 && u.0 < 2 && b.2 < 5 && u.2 < 5, "n=\(size) too slow: \(b) \(u) seed=\(base)")
            #expect(b.0 <= b.1 && b.1 <= b.2 && u.0 <= u.1 && u.1 <= u.2, "seed=\(base)")
        }
        print("""
            | nodes | user broadcast 50% / 99% / 100% (s) | alive update 50% / 99% / 100% (s) | Serf model 50% / 99% / 99.99% (s) |
            |------:|:---:|:---:|:---:|
            \(rows.joined(separator: "\n"))
            (seeds \(base)...\(base &+ UInt64(seedCount) &- 1), 5 samples each)
            """)
    }

    /// Mean of each quantile over the samples that reached it, in seconds.
    static func means(_ samples: [PropagationExperiment.Sample]) -> (Double, Double, Double) {
        func mean(_ values: [VirtualDuration?]) -> Double {
            let present = values.compactMap { $0?.seconds }
            return present.isEmpty ? .nan : present.reduce(0, +) / Double(present.count)
        }
        return (mean(samples.map(\.p50)), mean(samples.map(\.p99)), mean(samples.map(\.p100)))
    }
}
