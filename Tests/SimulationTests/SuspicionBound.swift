import Foundation
import Simulation

/// The longest a healthy LAN cluster may take to declare a crashed node dead
/// everywhere, from the rules of memberlist-wire.md §7.1 and §7.5. Computed
/// here from the spec, independently of the core's own timing helpers.
struct SuspicionBound {
    /// Cluster size including the crashed node (memberlist's estNumNodes).
    var nodeCount: Int
    var probeInterval: Double = 1.0
    var suspicionMult: Double = 4
    var suspicionMaxTimeoutMult: Double = 6
    /// Slack for the last holder of the news to hear it by gossip.
    var dissemination: Double = 5

    /// §7.5: min = SuspicionMult × max(1, log10(max(1, n))) × ProbeInterval,
    /// with the node scale truncated to 1/1000.
    var minimumTimeout: Double {
        let scale = max(1, log10(max(1, Double(nodeCount))))
        return suspicionMult * (scale * 1000).rounded(.down) / 1000 * probeInterval
    }

    /// §7.5: max = SuspicionMaxTimeoutMult × min; a suspicion never runs longer.
    var maximumTimeout: Double { suspicionMaxTimeoutMult * minimumTimeout }

    /// §7.1: each live node probes every other node once per round of n − 1
    /// ticks, shuffling between rounds, so its next probe of the crashed node
    /// comes within two rounds; the probe is decided one (unscaled, healthy)
    /// probe interval later.
    var detection: Double { 2 * Double(nodeCount - 1) * probeInterval + probeInterval }

    /// Crash → dead everywhere: detection, the longest suspicion, dissemination.
    var upperBound: Double { detection + maximumTimeout + dissemination }
}
