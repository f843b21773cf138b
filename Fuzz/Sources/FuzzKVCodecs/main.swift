import Glibc
import FuzzSupport
import KV
import Wire

/// dskit's KV values and messages (dskit-kv-ring.md 3.1-3.3, 8) as a peer sends them. Bits
/// 0-2 of the selector byte pick the decoder: the ringDesc, propagationDelayTracker,
/// sidecar.bytes and string codecs, a KeyValuePair, push/pull state frames, a gossiped
/// pair received by a store, a push/pull state merged by one. Bit 7 snappy-compresses the
/// input first for the two protobuf codecs, so the fuzzer reaches their protobuf decoders.
/// Every outcome is a value or a typed error; a decoded value re-encodes to bytes that
/// decode to an equal value (and re-encode to the same bytes where the encoding is
/// canonical); a store counts every pair it drops, and a replica that merges its push/pull
/// state holds the same live keys.
let nowMillis: Int64 = 1_700_000_000_000
let storeConfig = KVStoreConfig(codecs: KVCodecRegistry([RingDescCodec(), PropagationTrackerCodec(), SidecarBytesCodec(), StringCodec()]))

/// Decodes with `codec`, re-encodes and decodes again: the values must be equal.
func roundTrip<Value: Equatable & Sendable>(_ codec: some KVCodec, _ bytes: [UInt8], as type: Value.Type, canonical: Bool) {
    guard let decoded = try? codec.decode(bytes) else { return }
    guard let value = decoded as? Value, let encoded = codec.encode(value) else {
        preconditionFailure("\(codec.id) decoded a value it cannot encode")
    }
    let again: Value?
    do { again = try codec.decode(encoded) as? Value } catch { preconditionFailure("\(codec.id) re-encoding does not decode: \(error)") }
    precondition(again == value, "\(codec.id) value does not survive a round trip")
    if canonical, let again { precondition(codec.encode(again) == encoded, "\(codec.id) encoding is not a fixed point") }
}

func roundTripPair(_ pair: KeyValuePair) {
    let encoded = pair.encoded()
    let again = try? KeyValuePair(decoding: encoded)
    precondition(again == pair && again?.encoded() == encoded, "KeyValuePair does not survive a round trip")
}

/// The store's push/pull state reloads in full, and a replica merging it holds the same
/// live keys with the same values.
func checkReplica(_ store: inout KVStore) {
    let pairs = store.fullStatePairs()
    let state = store.localState()
    let parsed = LocalStateFrame.parse(state)
    precondition(parsed.stoppedAt == nil && parsed.pairs == pairs, "local state does not parse back")
    var replica = KVStore(config: storeConfig)
    _ = replica.mergeRemoteState(state, nowMillis: nowMillis)
    precondition(replica.fullStatePairs().filter { !$0.deleted } == pairs.filter { !$0.deleted },
                 "a replica merging the local state holds other values")
}

func fuzzKVCodecs(_ data: UnsafeRawBufferPointer) {
    guard let selector = data.first else { return }
    var bytes = Array(data.dropFirst())
    switch selector & 7 {
    case 0:
        if selector & 0x80 != 0 { bytes = SnappyBlock.compress(bytes) }
        roundTrip(RingDescCodec(), bytes, as: RingDesc.self, canonical: true)
    case 1:
        if selector & 0x80 != 0 { bytes = SnappyBlock.compress(bytes) }
        roundTrip(PropagationTrackerCodec(), bytes, as: PropagationTrackerDesc.self, canonical: true)
    case 2:
        roundTrip(SidecarBytesCodec(), bytes, as: SidecarBytes.self, canonical: true)
    case 3:
        roundTrip(StringCodec(), bytes, as: String.self, canonical: true)
        if let string = try? StringCodec().decode(bytes) { precondition(StringCodec().encode(string) == bytes, "string bytes change") }
    case 4:
        if let pair = try? KeyValuePair(decoding: bytes) { roundTripPair(pair) }
    case 5:
        let parsed = LocalStateFrame.parse(bytes)
        var framed: [UInt8] = []
        for pair in parsed.pairs {
            roundTripPair(pair)
            LocalStateFrame.append(pair, to: &framed)
        }
        let again = LocalStateFrame.parse(framed)
        precondition(again.stoppedAt == nil && again.pairs == parsed.pairs, "framed pairs do not parse back")
    case 6:
        var store = KVStore(config: storeConfig)
        let outcome = store.receive(message: bytes[...], nowMillis: nowMillis)
        switch outcome {
        case .invalid: precondition(store.counters.receivedBroadcastsInvalid == 1, "an invalid pair is not counted")
        case .unchanged, .changed: precondition(store.counters.receivedBroadcastsInvalid == 0, "a valid pair counted invalid")
        }
        if case .changed = outcome, let pair = try? KeyValuePair(decoding: bytes) {
            precondition(store.get(pair.key) != nil, "a changed key has no value")
        }
        checkReplica(&store)
    default:
        var store = KVStore(config: storeConfig)
        let summary = store.mergeRemoteState(bytes, nowMillis: nowMillis)
        let parsed = LocalStateFrame.parse(bytes)
        precondition(summary.stoppedAt == parsed.stoppedAt && summary.skippedPairs + summary.changedKeys.count <= parsed.pairs.count,
                     "merge summary does not match the state")
        checkReplica(&store)
    }
}

exit(FuzzDriver.run(fuzzKVCodecs))
