// swift-tools-version:6.1
// libFuzzer targets for every decoder a peer or an operator can feed (issue #12).
// Built and run by Fuzz/run with `-sanitize=fuzzer,address`; each target is an
// executable whose LLVMFuzzerTestOneInput drives one decoder of the root package.
import PackageDescription

let fuzzer: [SwiftSetting] = [.swiftLanguageMode(.v6)]

func target(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "memberlistd") },
                      path: "Sources/\(name)", swiftSettings: fuzzer,
                      // gold (the default here) hits an internal error on the fuzzer runtime.
                      linkerSettings: [.unsafeFlags(["-use-ld=lld"])])
}

let package = Package(
    name: "Fuzz",
    dependencies: [.package(name: "memberlistd", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver", .product(name: "Wire", package: "memberlistd")],
                path: "Sources/FuzzSupport", swiftSettings: [.swiftLanguageMode(.v6)]),
        target("FuzzPacket", ["Wire"]),
        target("FuzzStream", ["Wire"]),
        target("FuzzLZW", ["Wire"]),
        target("FuzzSnappy", ["Wire"]),
        target("FuzzDskitFrame", ["Wire"]),
        target("FuzzMessagePack", ["Wire"]),
        target("FuzzFlags", ["Config"]),
        target("FuzzConfigFile", ["Config"]),
        target("FuzzHTTPRequest", ["HTTP"]),
        target("FuzzKVCodecs", ["KV", "Wire"]),
        target("FuzzRingDesc", ["KV"]),
    ]
)
