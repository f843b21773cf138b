// swift-tools-version:6.1
// The memberlistd package: a memberlist gossip node wire-compatible with
// hashicorp/memberlist and Grafana dskit. Layering: ../shared/design/ARCHITECTURE.md.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "memberlistd",
    products: [
        .library(name: "MonotonicTime", targets: ["MonotonicTime"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Membership", targets: ["Membership"]),
        .library(name: "KV", targets: ["KV"]),
        .library(name: "EventLoop", targets: ["EventLoop"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Node", targets: ["Node"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        .library(name: "Admin", targets: ["Admin"]),
        .library(name: "Sidecar", targets: ["Sidecar"]),
        .executable(name: "memberlistd", targets: ["memberlistd"]),
    ],
    targets: [
        // C system libraries, each found through pkg-config with its Debian provider.
        .systemLibrary(name: "CAres", pkgConfig: "libcares", providers: [.apt(["libc-ares-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // What Swift cannot import directly: _GNU_SOURCE calls and OpenSSL macros.
        .target(name: "CShims", dependencies: ["COpenSSL"]),

        // The one instant type, shared by the loop, the cores and the node (no dependencies).
        .target(name: "MonotonicTime", swiftSettings: strict),

        // Pure cores: no sockets, no clocks, no threads.
        .target(name: "Wire", dependencies: ["COpenSSL", "CSnappy"], swiftSettings: strict),
        .target(name: "Membership", dependencies: ["MonotonicTime", "Wire"], swiftSettings: strict),
        // dskit's KV store and hash ring (dskit-kv-ring.md 3, 5).
        .target(name: "KV", dependencies: ["Wire"], swiftSettings: strict),

        // Runtime.
        .target(name: "EventLoop", dependencies: ["MonotonicTime", "Wire", "CShims", "COpenSSL", "CAres"], swiftSettings: strict),
        .target(name: "Transport", dependencies: ["MonotonicTime", "EventLoop", "Wire", "Config", "CShims"], swiftSettings: strict),
        .target(name: "Config", dependencies: ["Wire", "Membership", "CYAML"], swiftSettings: strict),
        .target(name: "Node", dependencies: ["MonotonicTime", "Wire", "Membership", "KV", "EventLoop", "Transport", "Config", "CShims"], swiftSettings: strict),
        // HTTP/1.1 server on the loop's TCP primitives (admin pages now, the sidecar API next).
        .target(name: "HTTP", dependencies: ["MonotonicTime", "EventLoop"], swiftSettings: strict),
        // The admin listener: /metrics (Prometheus text), /ready, /memberlist, /ring (dskit-kv-ring.md 6, 7).
        .target(name: "Admin", dependencies: ["MonotonicTime", "Wire", "Membership", "KV", "EventLoop", "Transport", "Config", "Node", "HTTP"],
                swiftSettings: strict),
        // The sidecar API (/v1/): membership, KV and rings for an application next to the node (issue 10).
        .target(name: "Sidecar", dependencies: ["MonotonicTime", "Wire", "Membership", "KV", "EventLoop", "Node", "HTTP"],
                swiftSettings: strict),
        // Linked fully statically: Swift runtime, OpenSSL, snappy, libstdc++ and glibc
        // (ARCHITECTURE.md "Footprint"; measurements in docs/benchmarks.md). A static,
        // non-PIE binary maps no shared library and has no load-time relocations, which
        // halves idle RSS. Names resolve through c-ares (no getaddrinfo, so no NSS modules).
        .executableTarget(name: "memberlistd", dependencies: ["Node", "Admin", "Sidecar", "KV", "HTTP", "Wire", "EventLoop", "Config"], swiftSettings: strict,
                          linkerSettings: [.unsafeFlags(["-static-executable"])]),

        // Test support: N membership cores on a virtual network and clock.
        .target(name: "Simulation", dependencies: ["MonotonicTime", "Membership", "Wire", "KV"], swiftSettings: strict),
        // Test support: a real dnsmasq serving test records, a DNS server that never answers, an HTTP
        // client, a loop stepper, and the CPU share that keeps CPU-heavy tests apart from the fault tests.
        .target(name: "NetworkTestSupport", dependencies: ["EventLoop"], path: "Tests/NetworkTestSupport", swiftSettings: strict),

        .testTarget(name: "WireTests", dependencies: ["Wire"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "KVTests", dependencies: ["KV", "Membership", "Simulation"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "MembershipTests", dependencies: ["MonotonicTime", "Membership", "Wire"], swiftSettings: strict),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Membership", "KV", "NetworkTestSupport"], swiftSettings: strict),
        .testTarget(name: "EventLoopTests", dependencies: ["MonotonicTime", "EventLoop", "Wire", "CShims", "NetworkTestSupport"], swiftSettings: strict),
        .testTarget(name: "TransportTests", dependencies: ["MonotonicTime", "Transport", "Config", "EventLoop", "Wire", "NetworkTestSupport"], swiftSettings: strict),
        .testTarget(name: "NodeTests", dependencies: ["MonotonicTime", "Node", "Config", "Membership", "KV", "Wire", "Transport", "EventLoop",
                                                    "NetworkTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "EventLoop", "MonotonicTime", "NetworkTestSupport"], swiftSettings: strict),
        .testTarget(name: "AdminTests", dependencies: ["Admin", "HTTP", "KV", "Node", "Config", "EventLoop", "Membership", "Transport",
                                                     "NetworkTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "InteropTests", dependencies: ["Node", "KV", "Wire", "NetworkTestSupport"], swiftSettings: strict),
        // memberlistd processes in network namespaces with nftables faults (root only).
        .testTarget(name: "FaultTests", dependencies: ["Wire", "NetworkTestSupport"], swiftSettings: strict),
        .testTarget(name: "SidecarTests", dependencies: ["Sidecar", "HTTP", "KV", "Node", "Config", "EventLoop", "Membership", "Wire",
                                                       "NetworkTestSupport"],
                    swiftSettings: strict),
    ]
)
