/// The value under dskit's propagation delay tracker key (`PropagationDelayTrackerDesc`,
/// `map<uint64, BeaconDesc> beacons = 1`): beacons by random ID, cluster-wide, merged as a
/// CRDT like every dskit KV value (dskit-kv-ring.md 3.4, 8).
public struct PropagationTrackerDesc: Equatable, Sendable {
    /// dskit's key and codec id for the tracker (dskit-kv-ring.md 8).
    public static let key = "memberlist-propagation-delay-tracker"

    public var beacons: [UInt64: BeaconDesc]

    public init(beacons: [UInt64: BeaconDesc] = [:]) {
        self.beacons = beacons
    }

    enum Field {
        static let beacons: UInt32 = 1
    }

    public init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        var beacons: [UInt64: BeaconDesc] = [:]
        while let tag = try reader.readTag() {
            guard tag.field == Field.beacons else {
                try reader.skip(tag)
                continue
            }
            var id: UInt64 = 0
            var beacon = BeaconDesc(publishedAtMillis: 0)
            try reader.readMapEntry(tag, key: { entry, tag throws(ProtobufError) in id = try entry.readUInt64(tag) },
                                    value: { entry, tag throws(ProtobufError) in
                                        beacon = try BeaconDesc(decoding: try entry.readBytes(tag))
                                    })
            beacons[id] = beacon
        }
        self.beacons = beacons
    }

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        try self.init(decoding: bytes[...])
    }

    /// The protobuf encoding, beacons in ID order (as deterministic serialisers write maps).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter(reservingCapacity: beacons.count * 24)
        for id in beacons.keys.sorted() {
            guard let beacon = beacons[id] else { continue }
            writer.writeMessageField(Field.beacons) { entry in
                entry.writeTag(1, .varint)
                entry.writeVarint(id)
                entry.writeMessageField(2) { beacon.encode(into: &$0) }
            }
        }
        return writer.bytes
    }
}

/// dskit's merge of the tracker value (`PropagationDelayTrackerDesc.Merge`).
extension PropagationTrackerDesc: MergeableValue {
    /// Per incoming beacon: an unknown one is taken; a known one is replaced when the
    /// incoming was published later, or at the same time with a later deletion (a tombstone
    /// beats the live beacon). With `localCAS`, live beacons missing from incoming become
    /// tombstones deleted now. Returns the changed beacons in their final state, or nil.
    public mutating func merge(_ incoming: PropagationTrackerDesc, localCAS: Bool, nowMillis: Int64) -> PropagationTrackerDesc? {
        var change = PropagationTrackerDesc()
        for (id, theirs) in incoming.beacons {
            if let ours = beacons[id],
               !(theirs.publishedAtMillis > ours.publishedAtMillis
                 || (theirs.publishedAtMillis == ours.publishedAtMillis && theirs.deletedAtMillis > ours.deletedAtMillis)) {
                continue
            }
            beacons[id] = theirs
            change.beacons[id] = theirs
        }
        if localCAS {
            for (id, var ours) in beacons where incoming.beacons[id] == nil && !ours.isDeleted {
                ours.deletedAtMillis = nowMillis
                beacons[id] = ours
                change.beacons[id] = ours
            }
        }
        return change.beacons.isEmpty ? nil : change
    }

    /// The beacon IDs, in decimal (dskit's `MergeContent`).
    public var mergeContent: [String] { beacons.keys.map { String($0) } }

    /// Drops tombstones deleted before `limitMillis` (all when nil).
    public mutating func removeTombstones(olderThanMillis limitMillis: Int64?) -> (total: Int, removed: Int) {
        var total = 0
        var removed = 0
        for (id, beacon) in beacons where beacon.isDeleted {
            if limitMillis.map({ beacon.deletedAtMillis < $0 }) ?? true {
                beacons[id] = nil
                removed += 1
            } else {
                total += 1
            }
        }
        return (total, removed)
    }

    public func withoutTombstones() -> PropagationTrackerDesc {
        PropagationTrackerDesc(beacons: beacons.filter { !$0.value.isDeleted })
    }
}
