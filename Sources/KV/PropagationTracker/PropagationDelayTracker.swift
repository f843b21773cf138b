/// dskit's propagation delay tracker as a pure value (dskit-kv-ring.md 8): every node
/// publishes a beacon (a random ID and its publish time) into the tracker key when none
/// younger than the beacon interval exists, tombstones beacons older than the beacon
/// lifetime, and measures, for each beacon another node published after this one started,
/// the time from its publication to its arrival here. The node owns the timer, the watch
/// of the key and the CAS writes; this type decides and counts. Times are Unix milliseconds.
public struct PropagationDelayTracker: Sendable {
    public struct Settings: Sendable {
        public var beaconIntervalMillis: Int64
        public var beaconLifetimeMillis: Int64
        /// Beacons slower than this are reported for a warning; 0 = never.
        public var logLongerThanMillis: Int64
        /// Written as `published_by`.
        public var nodeName: String

        public init(beaconIntervalMillis: Int64, beaconLifetimeMillis: Int64, logLongerThanMillis: Int64 = 0,
                    nodeName: String) {
            (self.beaconIntervalMillis, self.beaconLifetimeMillis, self.logLongerThanMillis, self.nodeName) =
                (beaconIntervalMillis, beaconLifetimeMillis, logLongerThanMillis, nodeName)
        }
    }

    /// What the tracker exports: dskit's histogram and two counters.
    public struct Metrics: Equatable, Sendable {
        public var delays = DelayHistogram()
        public var beaconsPublished = 0
        public var beaconsReceived = 0

        public init() {}
    }

    /// A beacon that took longer than `logLongerThanMillis` to arrive.
    public struct SlowBeacon: Equatable, Sendable {
        public var id: UInt64
        public var publishedBy: String
        public var publishedAtMillis: Int64
        public var delayMillis: Int64

        public init(id: UInt64, publishedBy: String, publishedAtMillis: Int64, delayMillis: Int64) {
            (self.id, self.publishedBy, self.publishedAtMillis, self.delayMillis) = (id, publishedBy, publishedAtMillis, delayMillis)
        }
    }

    /// What a beacon tick asks for: tombstones for `expired`, and a new beacon.
    public struct TickPlan: Equatable, Sendable {
        public var expired: [UInt64]
        public var publish: Bool

        public init(expired: [UInt64], publish: Bool) {
            (self.expired, self.publish) = (expired, publish)
        }
    }

    public let settings: Settings
    /// Beacons published before this were already there: not measured.
    public let startupMillis: Int64
    public private(set) var metrics = Metrics()
    /// Beacon IDs already handled (measured, skipped, or our own).
    private var seen: Set<UInt64> = []
    /// Our beacon being written: kept in `seen` until the CAS is done.
    private var pending: UInt64?

    public init(settings: Settings, startupMillis: Int64) {
        self.settings = settings
        self.startupMillis = startupMillis
    }

    /// The tracker key changed (dskit's WatchKey callback): each live beacon not seen
    /// before is marked seen and, if published after start-up, its delay is observed.
    /// Seen IDs no longer live in `desc` are forgotten. Returns the slow beacons to log.
    public mutating func received(_ desc: PropagationTrackerDesc, nowMillis: Int64) -> [SlowBeacon] {
        var slow: [SlowBeacon] = []
        for (id, beacon) in desc.beacons where !beacon.isDeleted && !seen.contains(id) {
            seen.insert(id)
            guard beacon.publishedAtMillis >= startupMillis else { continue }
            metrics.beaconsReceived += 1
            let delay = nowMillis - beacon.publishedAtMillis
            guard delay >= 0 else { continue }
            metrics.delays.observe(millis: delay)
            if settings.logLongerThanMillis > 0 && delay >= settings.logLongerThanMillis {
                slow.append(SlowBeacon(id: id, publishedBy: beacon.publishedBy, publishedAtMillis: beacon.publishedAtMillis,
                                       delayMillis: delay))
            }
        }
        seen = seen.filter { id in id == pending || desc.beacons[id].map { !$0.isDeleted } == true }
        return slow.sorted { $0.id < $1.id }
    }

    /// The beacon tick: live beacons at least `beaconLifetime` old expire; a new beacon is
    /// due when no live one is younger than `beaconInterval`.
    public func tick(_ desc: PropagationTrackerDesc?, nowMillis: Int64) -> TickPlan {
        var plan = TickPlan(expired: [], publish: true)
        for (id, beacon) in desc?.beacons ?? [:] where !beacon.isDeleted {
            let age = nowMillis - beacon.publishedAtMillis
            if age >= settings.beaconLifetimeMillis {
                plan.expired.append(id)
            } else if age < settings.beaconIntervalMillis {
                plan.publish = false
            }
        }
        plan.expired.sort()
        return plan
    }

    /// Our beacon `id` is about to be written: it is seen (never measured here) and kept
    /// seen while its CAS runs.
    public mutating func beginPublish(id: UInt64) {
        seen.insert(id)
        pending = id
    }

    /// The publish CAS ended; `written` counts it (`beacons_published_total`).
    public mutating func endPublish(written: Bool) {
        pending = nil
        if written { metrics.beaconsPublished += 1 }
    }

    /// The publish CAS update: `current` plus beacon `id` published now by this node; nil
    /// (nothing to write) when the ID is taken already.
    public func publishing(_ current: PropagationTrackerDesc?, id: UInt64, nowMillis: Int64) -> PropagationTrackerDesc? {
        var desc = current ?? PropagationTrackerDesc()
        guard desc.beacons[id] == nil else { return nil }
        desc.beacons[id] = BeaconDesc(publishedAtMillis: nowMillis, publishedBy: settings.nodeName)
        return desc
    }

    /// The expiry CAS update: `ids` still live in `current` become tombstones deleted now;
    /// nil when none is.
    public static func expiring(_ current: PropagationTrackerDesc?, ids: [UInt64], nowMillis: Int64) -> PropagationTrackerDesc? {
        guard var desc = current else { return nil }
        var changed = false
        for id in ids {
            guard var beacon = desc.beacons[id], !beacon.isDeleted else { continue }
            beacon.deletedAtMillis = nowMillis
            desc.beacons[id] = beacon
            changed = true
        }
        return changed ? desc : nil
    }
}
