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
        var buffer = WireBuffer()
        try Compound.encode(parts: [ping, alive], into: &buffer)
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

    @Test func compoundEncodeRefusesMoreThan255Parts() {
        var buffer = WireBuffer()
        #expect(throws: PacketError.compoundPartLimit(parts: 256, largestPart: 1)) {
            try Compound.encode(parts: Array(repeating: [1], count: 256), into: &buffer)
        }
        #expect(throws: PacketError.compoundPartLimit(parts: 1, largestPart: 65536)) {
            try Compound.encode(parts: [[UInt8](repeating: 0, count: 65536)], into: &buffer)
        }
    }

    @Test func builderSplitsAt255Parts() throws {
        var builder = CompoundBuilder(budget: 1_000_000)
        for index in 0..<600 {
            let added = builder.append([0x08, UInt8(index & 0xff), UInt8(index >> 8)])
            #expect(added)
        }
        #expect(builder.packetCount == 3)
        var scratch = WireBuffer(capacity: 2048)
        var packets: [[UInt8]] = []
        builder.emit(using: &scratch) { packets.append([UInt8]($0)) }
        #expect(packets.count == 3)
        #expect(packets.map { $0[1] } == [255, 255, 90])
        var all: [[UInt8]] = []
        for packet in packets {
            #expect(packet[0] == 7)
            _ = try packet.withUnsafeBytes { raw in try Compound.decode(UnsafeRawBufferPointer(rebasing: raw[1...])) { all.append([UInt8]($0)) } }
        }
        #expect(all.count == 600)
        #expect(all.enumerated().allSatisfy { $0.element == [0x08, UInt8($0.offset & 0xff), UInt8($0.offset >> 8)] })
    }

    @Test func builderRespectsBudgetAndSkipsTooLargeParts() {
        // Budget 20: parts cost len + 2.
        var builder = CompoundBuilder(budget: 20)
        do { let added = builder.append([UInt8](repeating: 1, count: 8)); #expect(added) }   // 10 used
        do { let added = builder.append([UInt8](repeating: 2, count: 9)); #expect(!added) }  // would need 11 > 10 left
        do { let added = builder.append([UInt8](repeating: 3, count: 8)); #expect(added) }   // exactly fills
        #expect(builder.remainingBudget == 0)
        do { let added = builder.append([4]); #expect(!added) }
        #expect(builder.partCount == 2)
        builder.reset(budget: 5)
        #expect(builder.isEmpty)
        do { let added = builder.append([1, 2, 3]); #expect(added) }
    }

    @Test func builderSinglePartIsSentBare() {
        var builder = CompoundBuilder(budget: 100)
        builder.append([0x04, 0x80])
        var scratch = WireBuffer()
        var packets: [[UInt8]] = []
        builder.emit(using: &scratch) { packets.append([UInt8]($0)) }
        #expect(packets == [[0x04, 0x80]])
        builder.reset(budget: 100)
        builder.emit(using: &scratch) { packets.append([UInt8]($0)) }
        #expect(packets.count == 1)
    }

    @Test func piggybackOnDirectMessage() {
        let ping = hex(MessageVectorTests.pingHex)
        let budget = PacketBudget.piggyback(messageLength: ping.count, labelLength: 4, encryptionOverhead: 29)
        #expect(budget == 1400 - 71 - 2 - 6 - 29)
        var builder = CompoundBuilder(budget: budget)
        builder.appendUnbudgeted(ping)
        builder.append(hex(MessageVectorTests.aliveHex))
        var scratch = WireBuffer()
        var packets: [[UInt8]] = []
        builder.emit(using: &scratch) { packets.append([UInt8]($0)) }
        #expect(packets == [hex("0702 0047 0039") + ping + hex(MessageVectorTests.aliveHex)])
        #expect(PacketBudget.gossip(labelLength: 0, encryptionOverhead: 45) == 1400 - 2 - 45)
    }
}
