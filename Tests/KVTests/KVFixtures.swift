import Foundation
import KV

/// The protobuf fixtures written by Google's protobuf runtime (Fixtures/generate.py from
/// Fixtures/kv.proto and ring.proto), and the values they hold, built here by hand. Keep the
/// values in step with `fixtures()` in generate.py.
enum KVFixtures {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "bin", subdirectory: "Fixtures") else {
            throw FixtureMissing(name: name)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    struct FixtureMissing: Error { var name: String }

    static let pairs: [String: KeyValuePair] = [
        "kv_pair_full": KeyValuePair(key: "collectors/ring", value: [0, 1, 2, 0xFF, 0x80], codec: "ringDesc",
                                     deleted: true, updateTimeMillis: 1_767_225_600_123),
        "kv_pair_key_only": KeyValuePair(key: "k", value: [], codec: ""),
        "kv_pair_negative_time": KeyValuePair(key: "collectors/x", value: [], codec: "string", updateTimeMillis: -5),
    ]

    static let rings: [String: RingDesc] = [
        "ring_empty": RingDesc(),
        "ring_single": RingDesc(instances: [
            "ingester-1": InstanceDesc(addr: "10.0.0.1:9095", timestamp: 1_767_225_600, state: .active,
                                       tokens: [5, 100, 4_000_000_000], id: "ingester-1"),
        ]),
        "ring_full": RingDesc(instances: [
            "a": InstanceDesc(addr: "a:1", timestamp: 1_767_225_601, state: .leaving,
                              tokens: [0, 127, 128, 16383, 16384, UInt32.max], zone: "zone-\u{e9}",
                              registeredTimestamp: 1_767_000_000, id: "a", readOnlyUpdatedTimestamp: 1_767_100_000,
                              readOnly: true, versions: [0: 7, 1: 0, UInt64.max: 1 << 63]),
            "b": InstanceDesc(addr: "b:2", timestamp: -1, state: .pending, zone: "zone-b"),
            "c": InstanceDesc(addr: "c:3", timestamp: 1_767_225_602, state: .joining),
            "d": InstanceDesc(addr: "d:4", timestamp: 1_767_225_603, state: .left, id: "d"),
            "": InstanceDesc(),
        ]),
        "ring_future_fields_known": RingDesc(instances: [
            "x": InstanceDesc(addr: "x:1", timestamp: 42, state: .active, tokens: [9, 3], zone: "z"),
        ]),
    ]

    static let trackers: [String: PropagationTrackerDesc] = [
        "tracker_beacons": PropagationTrackerDesc(beacons: [
            7: BeaconDesc(publishedAtMillis: 1_767_225_600_123, publishedBy: "node-a"),
            UInt64.max: BeaconDesc(publishedAtMillis: 1_767_225_000_000, deletedAtMillis: 1_767_225_600_999),
            0: BeaconDesc(publishedAtMillis: 0),
        ]),
    ]

    /// Where Swift writes its own encodings for `generate.py --verify`, if asked to.
    static var swiftOutputDirectory: URL? {
        ProcessInfo.processInfo.environment["KV_SWIFT_FIXTURE_OUT"].map { URL(fileURLWithPath: $0) }
    }
}
