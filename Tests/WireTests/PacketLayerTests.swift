import Testing
@testable import Wire

/// Label header, CRC wrapper and compound framing (memberlist-wire.md §3.2-3.5, §12).
@Suite struct PacketLayerTests {
    @Test func crc32MatchesStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func crcWrappedPingVector() throws {
        let ping = hex(MessageVectorTests.pingHex)
        #expect(ping.count == 71)
        var buffer = WireBuffer()
        ping.withUnsafeBytes { ChecksumHeader.encode($0, into: &buffer) }
        #expect(Array(buffer.bytes.prefix(6)) == hex("0ca73542e900"))
        #expect(Array(buffer.bytes.dropFirst(5)) == ping)
        // In-place wrapping gives the same bytes.
        var inPlace = WireBuffer()
        inPlace.append(0xee)
        inPlace.append(contentsOf: ping)
        ChecksumHeader.wrap(&inPlace, from: 1)
        #expect(Array(inPlace.bytes.dropFirst()) == buffer.bytes)
        let inner = try buffer.bytes.withUnsafeBytes { try [UInt8](ChecksumHeader.unwrap($0)) }
        #expect(inner == ping)
    }

    @Test func crcMismatchAndTruncationAreErrors() {
        var bytes = hex("0ca73542e9") + hex(MessageVectorTests.pingHex)
        bytes[10] ^= 1
        #expect(throws: PacketError.self) { try bytes.withUnsafeBytes { _ = try ChecksumHeader.unwrap($0) } }
        #expect(throws: PacketError.truncatedChecksum(available: 4)) {
            try [UInt8]([0x0c, 1, 2, 3]).withUnsafeBytes { _ = try ChecksumHeader.unwrap($0) }
        }
        // Not a CRC wrapper: returned unchanged.
        let plain: [UInt8] = [0x02, 0x80]
        #expect(plain.withUnsafeBytes { (try? [UInt8](ChecksumHeader.unwrap($0))) } == plain)
    }

    @Test func labelHeaderEncodeAndStrip() throws {
        var buffer = WireBuffer()
        try LabelHeader.encode(Array("prod".utf8), into: &buffer)
        buffer.append(contentsOf: [0x02, 0x80])
        #expect(buffer.bytes == [0xf4, 4] + Array("prod".utf8) + [0x02, 0x80])
        try buffer.bytes.withUnsafeBytes { raw in
            let (label, rest) = try LabelHeader.strip(raw)
            #expect(Array(label) == Array("prod".utf8))
            #expect(Array(rest) == [0x02, 0x80])
        }
        var none = WireBuffer()
        try LabelHeader.encode([], into: &none)
        #expect(none.isEmpty)
        #expect(LabelHeader.overhead(labelLength: 0) == 0)
        #expect(LabelHeader.overhead(labelLength: 4) == 6)
    }

    @Test func labelHeaderErrors() {
        func strip(_ bytes: [UInt8]) -> PacketError? {
            bytes.withUnsafeBytes { (raw) -> PacketError? in
                do throws(PacketError) { _ = try LabelHeader.strip(raw); return nil } catch { return error }
            }
        }
        #expect(strip([0xf4]) == .truncatedLabel(declared: -1, available: 0))
        #expect(strip([0xf4, 0]) == .emptyLabel)
        #expect(strip([0xf4, 5, 1, 2]) == .truncatedLabel(declared: 5, available: 2))
        var buffer = WireBuffer()
        #expect(throws: PacketError.labelTooLong(length: 256)) { try LabelHeader.encode([UInt8](repeating: 0x61, count: 256), into: &buffer) }
        #expect(throws: Never.self) { try LabelHeader.encode([UInt8](repeating: 0x61, count: 255), into: &buffer) }
        #expect(buffer.count == 257)
    }

    @Test func labelVerificationRules() throws {
        let prod = Array("prod".utf8)
        try prod.withUnsafeBytes { (raw) throws in
            #expect(try LabelHeader.verify(packetLabel: raw, localLabel: prod, skipInboundLabelCheck: false) == prod)
            #expect(throws: PacketError.labelMismatch(expected: Array("dev".utf8), found: prod)) {
                try LabelHeader.verify(packetLabel: raw, localLabel: Array("dev".utf8), skipInboundLabelCheck: false)
            }
            #expect(throws: PacketError.unexpectedLabel(found: prod)) {
                try LabelHeader.verify(packetLabel: raw, localLabel: prod, skipInboundLabelCheck: true)
            }
        }
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(throws: PacketError.missingLabel(expected: prod)) {
            try LabelHeader.verify(packetLabel: none, localLabel: prod, skipInboundLabelCheck: false)
        }
        #expect(try LabelHeader.verify(packetLabel: none, localLabel: prod, skipInboundLabelCheck: true) == prod)
        #expect(try LabelHeader.verify(packetLabel: none, localLabel: [], skipInboundLabelCheck: false) == [])
    }

    @Test func compoundVector() throws {
        let ping = hex(MessageVectorTests.pingHex), alive = hex(MessageVectorTests.aliveHex)
        let buffer = WireBuffer(try CompoundFraming.compound([ping, alive]))
        #expect(buffer.bytes == hex("0702 0047 0039") + ping + alive)
        var parts: [[UInt8]] = []
        let summary = try buffer.bytes.withUnsafeBytes { raw in
            try Compound.decode(UnsafeRawBufferPointer(rebasing: raw[1...])) { parts.append([UInt8]($0)) }
        }
        #expect(parts == [ping, alive])
        #expect(summary == Compound.DecodeSummary(parts: 2, truncatedParts: 0))
    }

    @Test func compoundTruncatedPartKeepsEarlierParts() throws {
        let body = hex("03 0002 0002 0002 0000 0101 01")  // third part has 1 of 2 bytes
        var parts: [[UInt8]] = []
        let summary = try body.withUnsafeBytes { raw in try Compound.decode(raw) { parts.append([UInt8]($0)) } }
        #expect(parts == [[0, 0], [1, 1]])
        #expect(summary.truncatedParts == 1)
    }

    @Test func compoundShortLengthTableIsAnError() {
        #expect(throws: PacketError.compoundTooShort(declaredParts: 3, available: 4)) {
            try hex("03 0001 0001").withUnsafeBytes { _ = try Compound.decode($0) { _ in } }
        }
        #expect(throws: PacketError.compoundTooShort(declaredParts: -1, available: 0)) {
            try [UInt8]().withUnsafeBytes { _ = try Compound.decode($0) { _ in } }
        }
    }

    /// Decodes each framed packet (bare message or compound) into its parts, in order.
    private static func partsOf(_ packets: [[UInt8]]) throws -> [[UInt8]] {
        var all: [[UInt8]] = []
        for packet in packets where packet.first == MessageType.compound.rawValue {
            let summary = try packet.withUnsafeBytes { raw in
                try Compound.decode(UnsafeRawBufferPointer(rebasing: raw[1...])) { all.append([UInt8]($0)) }
            }
            #expect(summary.truncatedParts == 0)
            #expect(packet.count == 2 + 2 * summary.parts + all.suffix(summary.parts).reduce(0) { $0 + $1.count })
        }
        for packet in packets where packet.first != MessageType.compound.rawValue { all.append(packet) }
        return all
    }

    private static func userPart(_ index: Int, length: Int = 3) -> [UInt8] {
        [MessageType.user.rawValue, UInt8(index & 0xff)] + [UInt8](repeating: UInt8(index >> 8), count: length - 2)
    }

    @Test func writePacketsSplitsAt127PartsSoGoCanDecode() throws {
        let parts = (0..<600).map { Self.userPart($0) }
        let packets = CompoundFraming.packets(parts)
        #expect(packets.map(\.first) == Array(repeating: MessageType.compound.rawValue, count: 5))
        #expect(packets.map { $0[1] } == [127, 127, 127, 127, 92])
        #expect(try Self.partsOf(packets) == parts)
    }

    /// Go v0.2.2 mis-splits compounds of 128...255 parts (`Compound.maxParts`): 128 parts are
    /// one compound of 127 and the last part bare.
    @Test func writePacketsSends128PartsAs127AndOneBare() throws {
        let parts = (0..<128).map { Self.userPart($0) }
        let packets = CompoundFraming.packets(parts)
        #expect(packets.count == 2)
        #expect(packets.first?.prefix(2) == [MessageType.compound.rawValue, 127])
        #expect(packets.last == parts.last)
        #expect(try Self.partsOf(packets) == parts)
    }

    @Test func writePacketsSendsOnePartBareAndNothingForNone() {
        #expect(CompoundFraming.packets([[0x04, 0x80]]) == [[0x04, 0x80]])
        #expect(CompoundFraming.packets([]).isEmpty)
    }

    @Test func compoundVectorFromMessages() {
        let ping = hex(MessageVectorTests.pingHex), alive = hex(MessageVectorTests.aliveHex)
        let messages = [ping, alive].map { try? Message.decode($0) }
        var scratch = WireBuffer()
        var packets: [[UInt8]] = []
        Compound.writePackets(messages.compactMap { $0 }, using: &scratch, encode: { $0.encode(into: &$1) }) {
            packets.append([UInt8]($0))
        }
        #expect(packets == [hex("0702 0047 0039") + ping + alive])
    }

    /// A part longer than 65,535 bytes has no u16 length: it goes out alone, as Grafana's
    /// memberlist does (makeCompoundMessages), and the other parts still share compounds.
    @Test func writePacketsSendsAnOversizedPartAlone() throws {
        let big = Self.userPart(1, length: Compound.maxPartLength + 1)
        let largest = Self.userPart(2, length: Compound.maxPartLength)
        let a = Self.userPart(3), b = Self.userPart(4), c = Self.userPart(5)

        // The compound reserved four slots and holds three: its table shrinks to three entries.
        let packets = CompoundFraming.packets([a, big, b, c])
        #expect(packets.count == 2)
        #expect(packets.first == big)
        #expect(packets.last?.prefix(8) == [MessageType.compound.rawValue, 3, 0, 3, 0, 3, 0, 3])
        #expect(try Self.partsOf(packets) == [a, b, c, big])

        // 65,535 bytes still fit a part; with the oversized part gone, `a` is sent bare.
        let second = CompoundFraming.packets([largest, big])
        #expect(second.count == 2 && second[0] == big && second[1] == largest)
        #expect(CompoundFraming.packets([big, a]) == [big, a])
        #expect(CompoundFraming.packets([big]) == [big])
        #expect(CompoundFraming.packets([a, largest]).first?.prefix(6) == [MessageType.compound.rawValue, 2, 0, 3, 0xff, 0xff])

        // An oversized part frees its slot: 127 small parts around it still make one compound.
        var many = (0..<127).map { Self.userPart($0) }
        many.insert(big, at: 60)
        let framed = CompoundFraming.packets(many)
        #expect(framed.count == 2 && framed[0] == big && framed[1][1] == 127)
    }

    @Test func piggybackBudget() {
        let ping = hex(MessageVectorTests.pingHex)
        let budget = PacketBudget.piggyback(messageLength: ping.count, labelLength: 4, encryptionOverhead: 29)
        #expect(budget == 1400 - 71 - 2 - 6 - 29)
        #expect(PacketBudget.gossip(labelLength: 0, encryptionOverhead: 45) == 1400 - 2 - 45)
    }
}
