import Testing
@testable import Wire

/// The node-name cache of the packet decode path (issue #4): decoding through it gives
/// exactly the messages plain decoding gives (memberlist-wire.md §2.3: Go strings are byte
/// strings, invalid UTF-8 repaired with U+FFFD), a cached name is returned as the same
/// String, and the table stays within its capacity with the documented eviction rule.
@Suite struct NodeNameInternerTests {
    /// A name of exactly `length` UTF-8 bytes; non-ASCII uses 2- and 3-byte characters.
    static func name(length: Int, nonASCII: Bool, tag: Int = 0) -> String {
        var text = nonASCII ? "\(tag)-ü日-" : "\(tag)-pyroscope-ingester-"
        while text.utf8.count > length { text.removeLast() }
        while text.utf8.count < length {
            text += (nonASCII && length - text.utf8.count >= 2) ? "é" : "x"
        }
        return text
    }

    /// Every message kind, carrying `a` and `b` in all of its name fields.
    static func messages(_ a: String, _ b: String) -> [Message] {
        let vsn: [UInt8] = [1, 5, 2, 0, 0, 0]
        return [
            .ping(Ping(seqNo: 1, node: a, sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7946, sourceNode: b)),
            .indirectPing(IndirectPingRequest(seqNo: 2, target: IPAddress(10, 0, 0, 2), port: 7946, node: a, nack: true,
                                              sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7946, sourceNode: b)),
            .ack(AckResponse(seqNo: 3, payload: [1, 2, 3])),
            .nack(NackResponse(seqNo: 4)),
            .suspect(Suspect(incarnation: 5, node: a, from: b)),
            .alive(Alive(incarnation: 6, node: a, addr: IPAddress(10, 0, 0, 3), port: 7946, meta: [9], vsn: vsn)),
            .dead(Dead(incarnation: 7, node: a, from: b)),
            .user(Array(a.utf8)),
            .error(ErrorResponse(error: a)),
            .pushPull(PushPullState(join: false, nodes: [
                PushNodeState(name: a, addr: IPAddress(10, 0, 0, 1), port: 1, meta: nil, incarnation: 1, state: .alive, vsn: vsn),
                PushNodeState(name: b, addr: IPAddress(10, 0, 0, 2), port: 2, meta: [], incarnation: 2, state: .dead, vsn: vsn),
            ])),
        ]
    }

    static func decode(_ bytes: [UInt8], names: inout NodeNameInterner) throws -> Message {
        try bytes.withUnsafeBytes { raw in try Message.decode(raw, names: &names) }
    }

    @Test(arguments: [0, 15, 16, 25, 255], [false, true])
    func decodesTheSameMessagesAsPlainDecoding(length: Int, nonASCII: Bool) throws {
        let a = Self.name(length: length, nonASCII: nonASCII, tag: 1)
        let b = Self.name(length: length, nonASCII: nonASCII, tag: 2)
        #expect(a.utf8.count == length && b.utf8.count == length)
        var names = NodeNameInterner()
        for message in Self.messages(a, b) {
            let bytes = message.encodedBytes
            let plain = try Message.decode(bytes)
            #expect(plain == message)
            // First decode fills the table, the second is answered from it.
            #expect(try Self.decode(bytes, names: &names) == message)
            #expect(try Self.decode(bytes, names: &names) == message)
        }
        if length > NodeNameInterner.inlineStringLimit, a != b {
            #expect(names.count == 2, "exactly the two node names are cached")
            #expect(names.misses == 2)
            // Two decodes of each kind; only the very first sight of a and b misses:
            // ping 2×2 - 2, indirect ping 2×2, suspect 2×2, alive 2×1, dead 2×2, push/pull 2×2.
            #expect(names.hits == 20)
            #expect(Array(a.utf8).withUnsafeBytes { names.cached($0) } == a)
        } else {
            #expect(names.count == 0, "names of up to 15 bytes are inline strings and never cached")
            #expect(names.hits == 0 && names.misses == 0)
        }
    }

    /// Replaces every occurrence of `placeholder`'s bytes in `bytes` with `replacement`
    /// (same length), to put bytes no `String` can hold into an encoded message.
    /// Fixture helper for tests only.
    static func patch(_ bytes: [UInt8], _ placeholder: String, with replacement: [UInt8]) -> [UInt8] {
        let pattern = Array(placeholder.utf8)
        precondition(pattern.count == replacement.count)
        var out = bytes
        var index = 0
        while index + pattern.count <= out.count {
            if Array(out[index..<(index + pattern.count)]) == pattern {
                out.replaceSubrange(index..<(index + pattern.count), with: replacement)
                index += pattern.count
            } else {
                index += 1
            }
        }
        return out
    }

    /// Invalid UTF-8 decodes repaired, exactly as without the cache, and is never cached
    /// (its repaired text is not its bytes, so it could never be found again).
    @Test(arguments: [
        [UInt8](repeating: 0xff, count: 20),                        // bytes never valid in UTF-8
        Array("pyroscope-ingester-".utf8) + [0xf0, 0x9f, 0x98],     // truncated 4-byte sequence
        [0xc3] + Array("pyroscope-ingester-0-7f9c2".utf8),           // lone lead byte
        Array("pyroscope-ingest".utf8) + [0xed, 0xa0, 0x80],         // encoded surrogate
        [UInt8](repeating: 0x80, count: 15),                         // 15 bytes that repair to 45
    ])
    func invalidUTF8DecodesAsBefore(invalid: [UInt8]) throws {
        let placeholder = String(repeating: "Q", count: invalid.count)
        var names = NodeNameInterner()
        for message in Self.messages(placeholder, placeholder) {
            let bytes = Self.patch(message.encodedBytes, placeholder, with: invalid)
            if case .ack = message {} else if case .nack = message {} else {
                #expect(bytes != message.encodedBytes, "\(message.type): the name was replaced")
            }
            let plain = try Message.decode(bytes)
            #expect(try Self.decode(bytes, names: &names) == plain)
            #expect(try Self.decode(bytes, names: &names) == plain)
        }
        #expect(names.count == 0 && names.hits == 0 && names.misses == 0)
        let repaired = invalid.withUnsafeBytes { names.name(decoding: $0) }
        #expect(repaired == String(decoding: invalid, as: UTF8.self))
        #expect(repaired.unicodeScalars.contains("\u{FFFD}"))
    }

    /// A hit returns the cached String itself: equal, and backed by the same storage.
    @Test func hitReturnsTheCachedString() {
        var names = NodeNameInterner()
        let text = "pyroscope-ingester-0-7f9c2"
        let first = Array(text.utf8).withUnsafeBytes { names.name(decoding: $0) }
        let second = Array(text.utf8).withUnsafeBytes { names.name(decoding: $0) }
        #expect(first == text && second == text)
        #expect(names.misses == 1 && names.hits == 1 && names.count == 1)
        let firstStorage = first.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        let secondStorage = second.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        #expect(firstStorage != nil && firstStorage == secondStorage, "same heap string, not a copy")
        let fresh = String(decoding: Array(text.utf8), as: UTF8.self)
        #expect(fresh.utf8.withContiguousStorageIfAvailable { $0.baseAddress } != firstStorage)
    }

    /// Only names of 16...255 bytes are cached; shorter ones are inline, longer ones could pin memory.
    @Test(arguments: [(15, false), (16, true), (255, true), (256, false), (4000, false)])
    func cachesOnlyNamesOfCacheableLength(length: Int, cached: Bool) {
        var names = NodeNameInterner()
        let text = Self.name(length: length, nonASCII: false)
        let decoded = Array(text.utf8).withUnsafeBytes { names.name(decoding: $0) }
        #expect(decoded == text)
        #expect(names.count == (cached ? 1 : 0))
        #expect((Array(text.utf8).withUnsafeBytes { names.cached($0) } != nil) == cached)
    }

    @Test func disabledInternerCachesNothing() {
        var names = NodeNameInterner.disabled
        #expect(names.capacity == 0)
        let text = "pyroscope-ingester-0-7f9c2"
        for _ in 0..<3 { #expect(Array(text.utf8).withUnsafeBytes { names.name(decoding: $0) } == text) }
        #expect(names.count == 0 && names.hits == 0 && names.misses == 0)
    }

    @Test(arguments: [(1, 1), (3, 4), (4096, 4096), (5000, 8192), (1 << 30, NodeNameInterner.maximumCapacity), (-1, 0)])
    func capacityIsAPowerOfTwoWithinBounds(requested: Int, actual: Int) {
        #expect(NodeNameInterner(capacity: requested).capacity == actual)
    }

    /// 100,000 distinct names through the default table: it never holds more than its
    /// capacity, every name decodes correctly, and misses = stored + evicted.
    @Test func tableNeverExceedsItsCapacity() {
        var names = NodeNameInterner()
        var peak = 0
        for index in 0..<100_000 {
            let text = "pyroscope-ingester-\(index)-7f9c2"
            let decoded = Array(text.utf8).withUnsafeBytes { names.name(decoding: $0) }
            #expect(decoded == text)
            peak = max(peak, names.count)
        }
        #expect(peak <= NodeNameInterner.defaultCapacity)
        #expect(names.count <= names.capacity)
        #expect(names.misses == 100_000 && names.hits == 0)
        #expect(names.evictions == 100_000 - UInt64(names.count))
        // The most recent name is always still cached.
        #expect(Array("pyroscope-ingester-99999-7f9c2".utf8).withUnsafeBytes { names.cached($0) } == "pyroscope-ingester-99999-7f9c2")
    }

    /// Names whose hashes share a home slot: they fill the window in order, then each new
    /// one replaces the window's slots in round-robin order (the documented eviction rule).
    @Test func collidingNamesFillTheWindowThenEvictRoundRobin() throws {
        let capacity = 64
        var byHome: [Int: [String]] = [:]
        var colliding: [String] = []
        for index in 0..<100_000 where colliding.isEmpty {
            let text = "pyroscope-ingester-\(index)-7f9c2"
            let home = Int(truncatingIfNeeded: Array(text.utf8).withUnsafeBytes { NodeNameInterner.hash($0) }) & (capacity - 1)
            byHome[home, default: []].append(text)
            if byHome[home]?.count == 7, let found = byHome[home] { colliding = found }
        }
        try #require(colliding.count == 7)
        var names = NodeNameInterner(capacity: capacity)
        func intern(_ text: String) -> String { Array(text.utf8).withUnsafeBytes { names.name(decoding: $0) } }
        func isCached(_ text: String) -> Bool { Array(text.utf8).withUnsafeBytes { names.cached($0) } == text }

        for text in colliding[0..<4] { #expect(intern(text) == text) }
        #expect(names.count == 4 && names.evictions == 0)
        #expect(colliding[0..<4].allSatisfy(isCached))
        // A hit does not move anything.
        #expect(intern(colliding[2]) == colliding[2] && names.hits == 1)

        // 5th replaces slot home+0 (colliding[0]), 6th home+1 (colliding[1]), 7th home+2.
        #expect(intern(colliding[4]) == colliding[4])
        #expect(!isCached(colliding[0]) && isCached(colliding[1]) && isCached(colliding[4]))
        #expect(intern(colliding[5]) == colliding[5])
        #expect(!isCached(colliding[1]) && isCached(colliding[2]) && isCached(colliding[5]))
        #expect(intern(colliding[6]) == colliding[6])
        #expect(!isCached(colliding[2]) && isCached(colliding[3]))
        #expect(names.count == 4 && names.evictions == 3 && names.misses == 7)
        // An evicted name comes back as a miss, decoded correctly, in the next round-robin slot.
        #expect(intern(colliding[0]) == colliding[0])
        #expect(names.misses == 8 && !isCached(colliding[3]) && isCached(colliding[0]))
    }

    /// A table of one slot: every new name replaces the one before.
    @Test func singleSlotTableKeepsTheLatestName() {
        var names = NodeNameInterner(capacity: 1)
        let a = "pyroscope-ingester-0-7f9c2", b = "pyroscope-ingester-1-7f9c2"
        for text in [a, b, a, a] { #expect(Array(text.utf8).withUnsafeBytes { names.name(decoding: $0) } == text) }
        #expect(names.count == 1 && names.misses == 3 && names.hits == 1 && names.evictions == 2)
    }

    /// The node's path: a reused `PacketWorkspace` caches names for packets, also those
    /// inside compound and compress messages; the one-shot decoder caches nothing.
    @Test func packetDecoderReadsNamesThroughTheWorkspace() throws {
        let a = Self.name(length: 25, nonASCII: false, tag: 1), b = Self.name(length: 25, nonASCII: false, tag: 2)
        let ping = Message.ping(Ping(seqNo: 9, node: a, sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7946, sourceNode: b))
        let alive = Message.alive(Alive(incarnation: 3, node: b, addr: IPAddress(10, 0, 0, 2), port: 7946, meta: nil,
                                        vsn: [1, 5, 2, 0, 0, 0]))
        let compound = WireBuffer(try CompoundFraming.compound([ping.encodedBytes, PacketWorkspaceCompressionTests.compressMessage(alive.encodedBytes)]))
        let packet = PacketWorkspaceCompressionTests.compressMessage(compound.bytes)

        var workspace = PacketWorkspace()
        #expect(workspace.nodeNames.capacity == NodeNameInterner.defaultCapacity)
        for round in 1...3 {
            var messages: [Message] = []
            _ = try packet.withUnsafeBytes { raw in
                try PacketDecoder.decode(raw, security: PacketSecurity(), workspace: &workspace) { messages.append($0) }
            }
            #expect(messages == [ping, alive])
            #expect(workspace.nodeNames.misses == 2, "only the first sight of each name decodes a new String")
            #expect(workspace.nodeNames.hits == UInt64(3 * round - 2), "round \(round)")
        }
        #expect(try PacketDecoder.decodeAll(packet, security: PacketSecurity()) == [ping, alive])
        #expect(PacketWorkspace(nameCapacity: 0).nodeNames.capacity == 0)
    }
}
