import Config
import EventLoop
import KV

/// dskit's propagation delay tracker run on the node (`-memberlist.propagation-delay-tracker.*`,
/// dskit-kv-ring.md 8): a watch of the tracker key feeds `PropagationDelayTracker.received`,
/// a timer ticks every beacon interval (the first tick at a random point of the first
/// interval, so nodes started together spread their beacons) and writes its plan through
/// `kvCAS`: tombstones for expired beacons, then a new beacon when none is recent.
extension GossipNode {
    func startPropagationTracker() {
        let settings = config.kvStore.propagationDelayTracker
        let intervalMillis = max(settings.beaconInterval.nanosecondsClamped / 1_000_000, 1)
        propagationTracker = PropagationDelayTracker(
            settings: .init(beaconIntervalMillis: intervalMillis,
                            beaconLifetimeMillis: settings.beaconLifetime.nanosecondsClamped / 1_000_000,
                            logLongerThanMillis: settings.logBeaconsLatencyLongerThan.nanosecondsClamped / 1_000_000,
                            nodeName: name),
            startupMillis: WallClock.nowMillis())
        kvWatchKey(PropagationTrackerDesc.key) { [weak self] _ in self?.propagationBeaconsChanged() }
        logger.info("propagation delay tracker started", ("beacon_interval", "\(settings.beaconInterval)"),
                    ("beacon_lifetime", "\(settings.beaconLifetime)"))
        scheduleBeaconTick(afterMillis: Int64.random(in: 1...intervalMillis))
    }

    private func scheduleBeaconTick(afterMillis millis: Int64) {
        guard !isShutDown else { return }
        propagationTimer = loop.schedule(after: .milliseconds(millis)) { [weak self] _ in
            guard let self, let tracker = self.propagationTracker else { return }
            self.propagationTimer = nil
            self.beaconTick()
            self.scheduleBeaconTick(afterMillis: tracker.settings.beaconIntervalMillis)
        }
    }

    /// The watch of the tracker key: measure the beacons that are new here, warn about slow ones.
    private func propagationBeaconsChanged() {
        guard let desc = kvGet(PropagationTrackerDesc.key)?.value as? PropagationTrackerDesc else { return }
        let now = WallClock.nowMillis()
        for beacon in propagationTracker?.received(desc, nowMillis: now) ?? [] {
            logger.warn("high latency beacon detected", ("beacon_id", "\(beacon.id)"), ("published_by", beacon.publishedBy),
                        ("delay", "\(Duration.milliseconds(beacon.delayMillis))"))
        }
    }

    /// One beacon interval: expire old beacons, publish one if none is recent.
    private func beaconTick() {
        guard let tracker = propagationTracker else { return }
        let key = PropagationTrackerDesc.key
        let codec = PropagationTrackerCodec.codecID
        let plan = tracker.tick(kvGet(key)?.value as? PropagationTrackerDesc, nowMillis: WallClock.nowMillis())
        if !plan.expired.isEmpty {
            kvCAS(key: key, codecID: codec, update: { current in
                PropagationDelayTracker.expiring(current as? PropagationTrackerDesc, ids: plan.expired, nowMillis: WallClock.nowMillis())
            }, completion: { [weak self] result in
                if case .done = result { return }
                self?.logger.warn("failed to mark beacons as deleted", ("result", "\(result)"))
            })
        }
        guard plan.publish else { return }
        let id = UInt64.random(in: 1...UInt64.max)
        propagationTracker?.beginPublish(id: id)
        kvCAS(key: key, codecID: codec, update: { current in
            tracker.publishing(current as? PropagationTrackerDesc, id: id, nowMillis: WallClock.nowMillis())
        }, completion: { [weak self] result in
            guard let self else { return }
            if case .done = result {
                self.propagationTracker?.endPublish(written: true)
            } else {
                self.propagationTracker?.endPublish(written: false)
                self.logger.warn("failed to publish beacon", ("result", "\(result)"))
            }
        })
    }
}
