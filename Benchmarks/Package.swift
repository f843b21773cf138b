// swift-tools-version:6.1
// Benchmarks for memberlistd: ns/op and malloc counts of the hot paths
// (ARCHITECTURE.md, "Benchmarks" and "The event loop owns the hot path").
// A separate package so that the main package's `swift test` never builds the
// benchmark framework. Run: `swift package --disable-sandbox benchmark` (docs/benchmarks.md).
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
let benchmarkPlugin: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "memberlistd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "memberlistd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The interposer package-benchmark counts with; read directly for exact per-loop counts.
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.5.0"),
    ],
    targets: [
        // Shared measuring helpers (configurations, exact malloc counts).
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ],
            path: "Benchmarks/BenchmarkSupport",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Wire", package: "memberlistd"),
            ],
            path: "Benchmarks/WireBenchmarks",
            swiftSettings: strict,
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "MembershipBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Membership", package: "memberlistd"),
                .product(name: "MonotonicTime", package: "memberlistd"),
                .product(name: "Wire", package: "memberlistd"),
            ],
            path: "Benchmarks/MembershipBenchmarks",
            swiftSettings: strict,
            plugins: benchmarkPlugin
        ),
        // dskit's KV store (Sources/KV): merging a ring update as it arrives by gossip.
        .executableTarget(
            name: "KVBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KV", package: "memberlistd"),
            ],
            path: "Benchmarks/KVBenchmarks",
            swiftSettings: strict,
            plugins: benchmarkPlugin
        ),
        // OpenSSL for the TLS benchmark client (the main package's COpenSSL has no product).
        .systemLibrary(name: "BenchOpenSSL", path: "Benchmarks/BenchOpenSSL"),
        // The running node (Sources/Node): its UDP, dskit TCP and dskit TLS ping → ack paths end to end.
        .executableTarget(
            name: "NodeBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                "BenchOpenSSL",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "Node", package: "memberlistd"),
                .product(name: "Membership", package: "memberlistd"),
                .product(name: "Wire", package: "memberlistd"),
                .product(name: "Transport", package: "memberlistd"),
                .product(name: "EventLoop", package: "memberlistd"),
                .product(name: "Config", package: "memberlistd"),
            ],
            path: "Benchmarks/NodeBenchmarks",
            swiftSettings: strict,
            plugins: benchmarkPlugin
        ),
    ]
)
