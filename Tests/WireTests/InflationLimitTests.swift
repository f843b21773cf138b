import Testing
@testable import Wire

/// Decompression limits a peer pushes against (issue #12): a packet's compress layers
/// together inflate at most to the transport's limit, large inflation draws on a rate
/// budget, and streams are scanned incrementally and decoded once.
@Suite struct InflationLimitTests {
    /// `09 {Algo 0, Buf LZW(08 + zeros)}`: a compress message holding a user message.
    static func compressedUser(zeros: Int) -> [UInt8] {
        let plain = [MessageType.user.rawValue] + [UInt8](repeating: 0, count: zeros)
        var out = WireBuffer()
        out.append(MessageType.compress.rawValue)
        CompressedPayload(algorithm: CompressionAlgorithm.lzw.rawValue,
                          buffer: Compressor.compress(algorithm: .lzw, plain)).encode(into: &out)
        return out.bytes
    }

    /// `07 N len... part...` written by hand (memberlist-wire.md §3.5).
    static func compound(_ parts: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = [MessageType.compound.rawValue, UInt8(parts.count)]
        for part in parts { bytes += [UInt8(part.count >> 8), UInt8(part.count & 0xff)] }
        for part in parts { bytes += part }
        return bytes
    }

    func decode(_ packet: [UInt8], limit: Int, workspace: inout PacketWorkspace) throws(PacketError) -> [Message] {
        var messages: [Message] = []
        var failure: PacketError?
        packet.withUnsafeBytes { raw in
            do throws(PacketError) {
                try PacketDecoder.decode(raw, security: PacketSecurity(), inflationLimit: limit, workspace: &workspace) {
                    messages.append($0)
                }
            } catch { failure = error }
        }
        if let failure { throw failure }
        return messages
    }

    @Test func oneLayerWithinTheLimitDecodes() throws {
        var workspace = PacketWorkspace()
        let messages = try decode(Self.compressedUser(zeros: 60_000), limit: WireLimits.maxDatagramInflation, workspace: &workspace)
        #expect(messages == [.user([UInt8](repeating: 0, count: 60_000))])
        #expect(workspace.inflatedBytes == 60_001)
    }

    @Test func compoundPartsShareOnePacketLimit() {
        // Each part alone fits 64 KiB; together they do not. Before issue #12 each part had
        // its own 40 MiB allowance, so 127 parts could inflate 5 GB.
        let part = Self.compressedUser(zeros: 40_000)
        var workspace = PacketWorkspace()
        #expect(throws: PacketError.inflationLimitExceeded(limit: WireLimits.maxDatagramInflation - 40_001)) {
            try decode(Self.compound([part, part]), limit: WireLimits.maxDatagramInflation, workspace: &workspace)
        }
        // Charged up to the limit, never beyond it.
        #expect(workspace.inflatedBytes <= WireLimits.maxDatagramInflation)
        #expect(workspace.inflatedBytes > 40_001)
    }

    @Test func nestedLayersCountTowardTheSameLimit() throws {
        // compress(compress(user)): the outer layer inflates to the inner message, then the
        // inner inflates again; both outputs are charged.
        let inner = Self.compressedUser(zeros: 20_000)
        var outer = WireBuffer()
        outer.append(MessageType.compress.rawValue)
        CompressedPayload(algorithm: CompressionAlgorithm.lzw.rawValue,
                          buffer: Compressor.compress(algorithm: .lzw, inner)).encode(into: &outer)
        var workspace = PacketWorkspace()
        let messages = try decode(outer.bytes, limit: 25_000, workspace: &workspace)
        #expect(messages.count == 1)
        #expect(workspace.inflatedBytes == inner.count + 20_001)
        #expect(throws: PacketError.inflationLimitExceeded(limit: 20_000 - inner.count)) {
            try decode(outer.bytes, limit: 20_000, workspace: &workspace)
        }
    }

    @Test func budgetLetsSmallPacketsThroughAndRateLimitsLargeOnes() {
        let second: Int64 = 1_000_000_000
        var budget = InflationBudget(packetLimit: 10 * 1024 * 1024, refillBytesPerSecond: 1024 * 1024, now: 0)
        #expect(budget.limit(at: 0) == 10 * 1024 * 1024)
        // A packet's first 64 KiB are free: a full-size packet leaves that much in the bucket.
        budget.charge(10 * 1024 * 1024)
        #expect(budget.limit(at: 0) == 2 * InflationBudget.freeBytesPerPacket)
        budget.charge(2 * InflationBudget.freeBytesPerPacket)
        // Empty bucket: only the free allowance remains, so pings and acks still decode.
        #expect(budget.limit(at: 0) == InflationBudget.freeBytesPerPacket)
        budget.charge(InflationBudget.freeBytesPerPacket)
        #expect(budget.limit(at: 0) == InflationBudget.freeBytesPerPacket)
        // Refilled at 1 MiB/s.
        #expect(budget.limit(at: second / 2) == InflationBudget.freeBytesPerPacket + 512 * 1024)
        #expect(budget.limit(at: 2 * second) == InflationBudget.freeBytesPerPacket + 2 * 1024 * 1024)
        // Never above one packet's limit, however long idle.
        #expect(budget.limit(at: 3_600 * second) == 10 * 1024 * 1024)
        // Time going backwards (it cannot on CLOCK_MONOTONIC) refills nothing.
        budget.charge(10 * 1024 * 1024)
        budget.charge(10 * 1024 * 1024)
        #expect(budget.limit(at: 0) == InflationBudget.freeBytesPerPacket)
    }

    @Test func budgetNeverExceedsTheTransportLimit() {
        var budget = InflationBudget(packetLimit: WireLimits.maxDatagramInflation, now: 0)
        #expect(budget.limit(at: 0) == WireLimits.maxDatagramInflation)
        budget.charge(WireLimits.maxDatagramInflation)
        #expect(budget.limit(at: 0) == WireLimits.maxDatagramInflation)
    }

    // MARK: streams

    static func bigPushPull(nodes: Int) -> Message {
        var states: [PushNodeState] = []
        for index in 0..<nodes {
            let high = UInt8(truncatingIfNeeded: index >> 8)
            let low = UInt8(truncatingIfNeeded: index)
            let address = IPAddress(10, 0, high, low)
            states.append(PushNodeState(name: "node-\(index)", addr: address, port: 7946, meta: nil,
                                        incarnation: UInt32(index + 1), state: .alive, vsn: ProtocolVersion.vsn()))
        }
        return .pushPull(PushPullState(join: false, nodes: states, userState: [UInt8](repeating: 3, count: 5_000)))
    }

    @Test(arguments: [false, true])
    func tricklingStreamIsDecodedOnce(compressed: Bool) throws {
        let message = Self.bigPushPull(nodes: 300)
        var out = WireBuffer()
        try StreamEncoder.encode(message, security: PacketSecurity(compress: compressed), writeLabel: false, into: &out)
        let bytes = out.bytes
        var decoder = StreamDecoder(security: PacketSecurity(), acceptedStream: true)
        // One byte per readable event: every prefix needs more, and none is decoded.
        for length in 1..<bytes.count {
            let partial = try bytes[..<length].withUnsafeBytes { try decoder.decode($0) }
            #expect(partial == nil)
        }
        #expect(decoder.framesDecoded == 0)
        let whole = try #require(try bytes.withUnsafeBytes { try decoder.decode($0) })
        #expect(whole.message == message)
        #expect(whole.consumed == bytes.count)
        #expect(decoder.framesDecoded == 1)
        // What the node charges to its stream budget: the inflated message, or nothing.
        var plain = WireBuffer()
        message.encodeForStream(into: &plain)
        #expect(decoder.inflatedBytes == (compressed ? plain.count : 0))
    }

    @Test func streamLimitsApplyAsSoonAsTheHeaderIsReadable() throws {
        // A push/pull announcing more nodes than v0.6.0 accepts, with nothing after the header.
        var out = WireBuffer()
        out.append(MessageType.pushPull.rawValue)
        PushPullHeader(nodes: WireLimits.maxPushPullNodes + 1, userStateLength: 0, join: false).encode(into: &out)
        var decoder = StreamDecoder(security: PacketSecurity(), acceptedStream: true)
        #expect(throws: StreamError.message(.limitExceeded(field: "Nodes", limit: WireLimits.maxPushPullNodes,
                                                           found: WireLimits.maxPushPullNodes + 1))) {
            try out.bytes.withUnsafeBytes { try decoder.decode($0) }
        }
        // A user message declaring more than 20 MiB.
        var user = WireBuffer()
        user.append(MessageType.user.rawValue)
        UserMessageHeader(userMessageLength: WireLimits.maxUserMessageLength + 1).encode(into: &user)
        var userDecoder = StreamDecoder(security: PacketSecurity(), acceptedStream: true)
        #expect(throws: StreamError.message(.limitExceeded(field: "UserMsgLen", limit: WireLimits.maxUserMessageLength,
                                                           found: WireLimits.maxUserMessageLength + 1))) {
            try user.bytes.withUnsafeBytes { try userDecoder.decode($0) }
        }
    }

    @Test func aDeclaredValueBeyondTheBufferCapIsRefused() throws {
        // str32 of 1 GiB inside a ping body: refused once the buffered bytes pass the cap.
        var decoder = StreamDecoder(security: PacketSecurity(), acceptedStream: true, maxBufferedBytes: 1024)
        let head: [UInt8] = [MessageType.ping.rawValue, 0x81, 0xa4] + Array("Node".utf8) + [0xdb, 0x40, 0, 0, 0]
        #expect(try head.withUnsafeBytes { try decoder.decode($0) } == nil)
        let filled = head + [UInt8](repeating: 0x61, count: 2_000)
        #expect(throws: StreamError.messageTooLarge(buffered: filled.count, limit: 1024)) {
            try filled.withUnsafeBytes { try decoder.decode($0) }
        }
    }
}
