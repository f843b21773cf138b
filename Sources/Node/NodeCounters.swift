/// Counts of what the node dropped and why (ARCHITECTURE.md, "Errors and bad
/// input": dropped, counted with a reason label, logged at debug).
public struct NodeCounters: Sendable, Equatable {
    /// Inbound packets dropped, by reason (label, decrypt, checksum, malformed, ...).
    public var packetsDropped: [String: Int] = [:]
    /// Compound parts that failed to decode inside otherwise good packets.
    public var compoundPartsDropped = 0
    /// Inbound streams that failed (bad framing, wrong type, deadline).
    public var streamsFailed: [String: Int] = [:]
    /// Inbound streams closed unanswered because `maxInboundStreams` were open.
    public var streamsRefused = 0
    /// User broadcasts dropped to keep the broadcast queue within its bounds
    /// (`MembershipConfig.maxQueuedUserBroadcasts` / `...Bytes`).
    public var userBroadcastsDropped = 0
    /// User broadcasts queued now, and their bytes.
    public var userBroadcastsQueued = 0
    public var userBroadcastBytesQueued = 0
    /// Outgoing packets that could not be encoded.
    public var packetsUnencodable = 0
    /// Packets handed to the transport.
    public var packetsSent = 0
    /// Packets decoded and handed to the core.
    public var packetsReceived = 0
    /// Join entries looked up in DNS, and those whose lookup failed (their previous
    /// answer was used): dskit's `dns_lookups_total` and `dns_failures_total`.
    public var dnsLookups = 0
    public var dnsFailures = 0
    /// Addresses (SRV targets for `dnssrvnoa+`) each looked-up join entry gave at
    /// the last resolution, by entry: dskit's `dns_provider_results` gauge.
    public var dnsProviderResults: [String: Int] = [:]

    public init() {}

    /// Total inbound packets dropped.
    public var totalPacketsDropped: Int { packetsDropped.values.reduce(0, +) }
}
