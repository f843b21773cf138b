import Glibc
import FuzzSupport
import KV

/// A dskit ring (`ring.Desc` / `InstanceDesc` protobuf, dskit-kv-ring.md 5) as its bytes
/// arrive inside the ringDesc codec's snappy block. A decoded ring re-encodes to bytes that
/// decode to an equal ring and re-encode to the same bytes (the encoding is canonical).
/// Merged into an empty ring (5.1), it leaves every token list sorted and unique, no
/// token owned twice and LEFT instances tokenless; merging it again changes nothing.
func fuzzRingDesc(_ data: UnsafeRawBufferPointer) {
    guard let ring = try? RingDesc(decoding: Array(data)) else { return }
    let encoded = ring.encoded()
    let again = try? RingDesc(decoding: encoded)
    precondition(again == ring, "ring does not survive a round trip")
    precondition(again?.encoded() == encoded, "ring encoding is not a fixed point")

    var merged = RingDesc()
    _ = merged.merge(ring, localCAS: false, nowMillis: 1_700_000_000_000)
    var owners: Set<UInt32> = []
    for instance in merged.instances.values {
        precondition(instance.state != .left || instance.tokens.isEmpty, "a LEFT instance keeps tokens")
        precondition(zip(instance.tokens, instance.tokens.dropFirst()).allSatisfy { $0 < $1 }, "tokens not sorted and unique")
        for token in instance.tokens { precondition(owners.insert(token).inserted, "token \(token) owned twice") }
    }
    let before = merged
    precondition(merged.merge(ring, localCAS: false, nowMillis: 1_700_000_000_000) == nil && merged == before,
                 "merging the same ring twice changes it")
}

exit(FuzzDriver.run(fuzzRingDesc))
