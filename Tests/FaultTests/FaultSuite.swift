import Foundation
import NetworkTestSupport
import Testing

/// Parent of the fault tests: real `memberlistd` processes in network
/// namespaces (`NetworkLab`) with faults injected by nftables. Serialized:
/// one ten-node cluster at a time on a two-core machine. Needs root (ip netns,
/// nft); a machine without them fails the tests with the command's error.
/// Each test waits for the CPU share of its role (`CPUShare`): no large
/// simulation runs beside it, so a starved process is never mistaken for a
/// dead one; the tests' time limits include that wait.
@Suite(.serialized, .cpu(.needsQuietCPU)) struct FaultSuite {
    /// How long the packet-loss scenario runs; FAULT_LOSS_SECONDS overrides the 120 s default.
    static let lossDuration: Duration = .seconds(
        ProcessInfo.processInfo.environment["FAULT_LOSS_SECONDS"].flatMap(Int.init) ?? 120)
}
