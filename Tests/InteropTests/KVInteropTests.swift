import Foundation
import Glibc
import KV
import Testing

/// memberlistd's KV store against the Go peer over dskit's TCP transport
/// (dskit-kv-ring.md 3.3, 3.5): push/pull carries the KV state both ways at join, and a
/// message over 64 KiB, queued with small ones, reaches every node. And memberlistd's
/// `kv-put` stdin command, whose gossip the other node logs as `kv key changed`.
extension ProcessClusterTests {
    @Suite(.serialized)
    struct KVInteropTests {
        static let ringKey = "collectors/ring"

        /// A memberlistd seed registers its ring instance; a Go peer holding a KV pair of its
        /// own (stored only, never gossiped) joins through it with periodic push/pull off:
        /// the join's push/pull alone gives the Go peer the whole ring and memberlistd the pair.
        @Test func aJoiningDskitPeerGetsTheRingInPushPullAndGivesItsState() async throws {
            let seed = try await MemberlistdProcess.launch(name: "kvpp-sw0", transport: "tcp", extra: [
                "-memberlistd.ring.key=\(Self.ringKey)", "-memberlistd.ring.num-tokens=8",
                "-memberlistd.ring.heartbeat-period=1s",
            ])
            try await seed.waitForLog("ring instance active", ["instance": "kvpp-sw0"], from: 0)

            var options = GoPeerOptions(name: "kvpp-go0")
            options.transport = .dskit
            options.timing.pushPullInterval = .zero
            let peer = try await GoPeer.launch(options)
            let distributor = RingDesc(instances: ["distributor-go": InstanceDesc(
                addr: "127.0.0.1:9095", timestamp: 1_700_000_000, state: .active, tokens: [42], id: "distributor-go")])
            try await peer.setKV(key: "collectors/distributor", codec: RingDescCodec.codecID,
                                 value: RingDescCodec().encodeRing(distributor), broadcast: false)
            let mark = peer.eventCount
            #expect(try await peer.join([seed.address]) == 1)

            // The join's reply is the one with join set: the seed's own periodic push/pull may be
            // merged first. And the seed may gossip the ring pair to the new member before Go merges
            // the reply (seen 0.5 ms after the reply in a capture under load), so the pair is
            // looked up among those the state carried, not those that changed the peer's store.
            let state = try await peer.waitFor("join push/pull state from the seed", from: mark) {
                $0.event == "kv_state" && $0.join == true
            }
            let pair = try #require(state.pairs?.first { $0.key == Self.ringKey })
            #expect(pair.codec == RingDescCodec.codecID)
            let ring = try RingDescCodec().decodeRing(pair.value)
            #expect(ring.instances["kvpp-sw0"]?.state == .active)
            #expect(ring.instances["kvpp-sw0"]?.tokens.count == 8)

            try await seed.waitForKV("the Go peer's pair in memberlistd's store") { listing in
                listing.rings["collectors/distributor"]?["distributor-go"] == "ACTIVE"
                    && listing.rings[Self.ringKey]?["kvpp-sw0"] == "ACTIVE"
            }
            try peer.send("quit")
            _ = await seed.stop(SIGTERM)
        }

        /// `kv-put` on one memberlistd writes a sidecar value (version 1, then 2 for a rewrite);
        /// the other logs each version with its key and text as the gossip reaches it.
        @Test func aKVPutFromStdinReachesTheOtherNodesWatcher() async throws {
            let sw0 = try await MemberlistdProcess.launch(name: "kvput-sw0", transport: "udp")
            let sw1 = try await MemberlistdProcess.launch(name: "kvput-sw1", transport: "udp", join: [sw0.address])
            for node in [sw0, sw1] {
                try await node.waitForMembers("2 alive") { $0.count == 2 && $0.values.allSatisfy { $0 == "alive" } }
            }
            let mark = sw1.logMark
            try sw0.kvPut("bench/k1", "first value")
            try await sw0.waitForLog("kv put", ["key": "bench/k1", "version": "1", "bytes": "11"], from: 0)
            try await sw1.waitForLog("kv key changed", ["key": "bench/k1", "version": "1", "value": "first value"],
                                     from: mark)
            try sw0.kvPut("bench/k1", "second")
            try await sw1.waitForLog("kv key changed", ["key": "bench/k1", "version": "2", "value": "second"],
                                     from: mark)
            try sw0.send("kv-put no-value")
            try await sw0.waitForLog("kv-put needs a key and a value", ["line": "kv-put no-value"], from: 0)
            let listing = try await sw1.kv()
            #expect(listing.keys["bench/k1"] == SidecarBytesCodec.codecID)
            _ = await sw1.stop(SIGTERM)
            _ = await sw0.stop(SIGTERM)
        }

        /// 300 kB plus two small payloads queued at once on one memberlistd: the large one is
        /// sent alone (not as a compound part), so the other memberlistd and the Go peer get all three.
        @Test func aMessageOver64KiBQueuedWithSmallOnesReachesEveryNode() async throws {
            let sw0 = try await MemberlistdProcess.launch(name: "big-sw0", transport: "tcp")
            var options = GoPeerOptions(name: "big-go0")
            options.transport = .dskit
            options.join = [sw0.address]
            let peer = try await GoPeer.launch(options)
            let sw1 = try await MemberlistdProcess.launch(name: "big-sw1", transport: "tcp", join: [sw0.address])
            let names: Set<String> = ["big-sw0", "big-sw1", "big-go0"]
            for node in [sw0, sw1] {
                try await node.waitForMembers("3 alive") { Set($0.keys) == names && $0.values.allSatisfy { $0 == "alive" } }
            }
            try await peer.waitForMembers("3 alive") { Set($0.map(\.name)) == names }

            let large = String(repeating: "0123456789", count: 30_000)
            let mark = sw1.logMark
            // One write: all three are queued before the next gossip round.
            try sw0.send("broadcast small-before\nbroadcast \(large)\nbroadcast small-after")
            for payload in ["small-before", large, "small-after"] {
                try await peer.waitForUserMessage(payload)
                try await sw1.waitForLog("received user message", ["payload": payload], from: mark)
            }
            try peer.send("quit")
            _ = await sw1.stop(SIGTERM)
            _ = await sw0.stop(SIGTERM)
        }
    }
}
