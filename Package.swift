// swift-tools-version:6.1
// The memberlistd package: a memberlist gossip node wire-compatible with
// hashicorp/memberlist and Grafana dskit. Layering: ../shared/design/ARCHITECTURE.md.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "memberlistd",
    products: [
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Membership", targets: ["Membership"]),
        .library(name: "EventLoop", targets: ["EventLoop"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Node", targets: ["Node"]),
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

        // Pure cores: no sockets, no clocks, no threads.
        .target(name: "Wire", dependencies: ["COpenSSL", "CSnappy"], swiftSettings: strict),
        .target(name: "Membership", dependencies: ["Wire"], swiftSettings: strict),

        // Runtime.
        .target(name: "EventLoop", dependencies: ["CShims", "COpenSSL"], swiftSettings: strict),
        .target(name: "Transport", dependencies: ["EventLoop", "Wire", "CShims", "COpenSSL"], swiftSettings: strict),
        .target(name: "Config", dependencies: ["Wire", "Membership"], swiftSettings: strict),
        .target(name: "Node", dependencies: ["Wire", "Membership", "EventLoop", "Transport", "Config", "CShims"], swiftSettings: strict),
        // Linked fully statically: Swift runtime, OpenSSL, snappy, libstdc++ and glibc
        // (ARCHITECTURE.md "Footprint"; measurements in docs/benchmarks.md). A static,
        // non-PIE binary maps no shared library and has no load-time relocations, which
        // halves idle RSS. getaddrinfo then loads glibc's NSS modules at run time.
        .executableTarget(name: "memberlistd", dependencies: ["Node"], swiftSettings: strict,
                          linkerSettings: [.unsafeFlags(["-static-executable"])]),

        // Test support: N membership cores on a virtual network and clock.
        .target(name: "Simulation", dependencies: ["Membership", "Wire"], swiftSettings: strict),

        .testTarget(name: "WireTests", dependencies: ["Wire"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "MembershipTests", dependencies: ["Membership", "Wire"], swiftSettings: strict),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Membership"], swiftSettings: strict),
        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop", "CShims"], swiftSettings: strict),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "EventLoop", "Wire"], swiftSettings: strict),
        .testTarget(name: "NodeTests", dependencies: ["Node", "Config", "Membership", "Wire", "Transport", "EventLoop"], swiftSettings: strict),
        .testTarget(name: "InteropTests", dependencies: ["Node", "Wire"], swiftSettings: strict),
        // memberlistd processes in network namespaces with nftables faults (root only).
        .testTarget(name: "FaultTests", dependencies: ["Wire"], swiftSettings: strict),
    ]
)
