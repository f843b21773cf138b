import Testing
@testable import Wire

/// Go `compress/lzw` (LSB, literal width 8) behaviour, memberlist-wire.md §6 and §12.
@Suite struct LZWTests {
    private let abababab = Array("abababab".utf8)

    @Test func compressesSpecVectorForAbababab() throws {
        #expect(TransformHex.encode(LZW.compress(abababab)) == "00c3881148504c40")
    }

    @Test func compressesEmptyInputToClearAndEOF() throws {
        #expect(TransformHex.encode(LZW.compress([UInt8]())) == "000302")
    }

    @Test func decompressesSpecVectors() throws {
        let vector = try #require(TransformHex.decode("00c3881148504c40"))
        #expect(try LZW.decompress(vector, limit: 1024) == abababab)
        let empty = try #require(TransformHex.decode("000302"))
        #expect(try LZW.decompress(empty, limit: 1024) == [])
    }

    @Test func hasExpectedCodeSequenceForAbababab() throws {
        // clear, 'a', 'b', 258 "ab", 260 "aba", 'b', EOF: all 9 bits wide.
        let expected = LZWStreamBuilder.pack([(256, 9), (97, 9), (98, 9), (258, 9), (260, 9), (98, 9), (257, 9)])
        #expect(LZW.compress(abababab) == expected)
    }

    @Test func decodesStreamWithoutLeadingClearAsOlderGoWrites() throws {
        let stream = LZWStreamBuilder.pack([(97, 9), (98, 9), (258, 9), (260, 9), (98, 9), (257, 9)])
        #expect(try LZW.decompress(stream, limit: 64) == abababab)
    }

    @Test func handlesCodeDefinedByItself() throws {
        // "aaaa": after 'a', code 258 ("aa") arrives before the decoder has defined it (KwKwK).
        let stream = LZWStreamBuilder.pack([(256, 9), (97, 9), (258, 9), (97, 9), (257, 9)])
        #expect(LZW.compress(Array("aaaa".utf8)) == stream)
        #expect(try LZW.decompress(stream, limit: 64) == Array("aaaa".utf8))
    }

    /// With no repeated byte pair every byte becomes one literal code, so the exact widths,
    /// the growth points (no early change) and the reset at code 4095 follow from the spec.
    @Test(arguments: [1, 2, 254, 255, 256, 766, 767, 1790, 1791, 3836, 3837, 3838, 3839, 7676, 7677, 9000])
    func matchesSpecCodeWidthsAndResets(length: Int) throws {
        let input = LZWStreamBuilder.distinctPairs(count: length)
        #expect(input.count == length)
        var codes: [(code: UInt16, width: Int)] = [(256, 9)]
        var highest = 257
        for byte in input {
            codes.append((UInt16(byte), LZWStreamBuilder.width(highestAssigned: highest)))
            highest += 1
            if highest == 4095 {
                codes.append((256, 12))
                highest = 257
            }
        }
        codes.append((257, LZWStreamBuilder.width(highestAssigned: highest)))
        let expected = LZWStreamBuilder.pack(codes)
        #expect(LZW.compress(input) == expected)
        #expect(try LZW.decompress(expected, limit: length) == input)
    }

    @Test func roundTripsLowAndHighEntropyInputs() throws {
        var random = SplitMix64(seed: 0x5EED_0001)
        let inputs: [[UInt8]] = [
            [0],
            [255, 255],
            [UInt8](repeating: 0, count: 150_000),
            random.bytes(120_000, alphabet: [1, 2, 3, 4]),
            random.bytes(110_000),
            (0..<5000).flatMap { Array("member-\($0 % 97) alive; ".utf8) },
        ]
        for input in inputs {
            let compressed = LZW.compress(input)
            #expect(try LZW.decompress(compressed, limit: input.count) == input)
        }
    }

    @Test func compressesRepetitiveInputWell() throws {
        let input = [UInt8](repeating: 7, count: 100_000)
        #expect(LZW.compress(input).count < 1_000)
    }

    @Test func acceptsBothBufferForms() throws {
        let compressed = abababab.withUnsafeBytes { LZW.compress($0) }
        #expect(compressed == LZW.compress(abababab))
        let decoded = try compressed.withUnsafeBytes { buffer in
            try LZW.decompress(buffer, limit: 8)
        }
        #expect(decoded == abababab)
    }

    @Test func ignoresBytesAfterEOF() throws {
        let stream = LZW.compress(abababab) + [0xff, 0x12, 0x00]
        #expect(try LZW.decompress(stream, limit: 64) == abababab)
    }

    @Test func everyTruncationIsUnexpectedEnd() throws {
        var random = SplitMix64(seed: 0x5EED_0002)
        let input = random.bytes(1500, alphabet: Array("abcdefgh".utf8)) + random.bytes(500)
        let compressed = LZW.compress(input)
        for end in 0..<compressed.count {
            #expect(throws: CompressionError.unexpectedEnd) {
                try LZW.decompress(Array(compressed[..<end]), limit: 1 << 20)
            }
        }
    }

    @Test func rejectsCodeBeyondDictionary() throws {
        // clear at bits 0-8, 'a' at 9-17, then 300 at bits 18-26 (byte 2) while only 258 is pending.
        let stream = LZWStreamBuilder.pack([(256, 9), (97, 9), (300, 9), (257, 9)])
        #expect(throws: CompressionError.invalidCode(offset: 2)) {
            try LZW.decompress(stream, limit: 64)
        }
    }

    @Test func rejectsDictionaryCodeRightAfterClear() throws {
        let stream = LZWStreamBuilder.pack([(256, 9), (258, 9), (257, 9)])
        #expect(throws: CompressionError.invalidCode(offset: 1)) {
            try LZW.decompress(stream, limit: 64)
        }
    }

    @Test func enforcesOutputLimitWhileDecoding() throws {
        var random = SplitMix64(seed: 0x5EED_0003)
        let input = random.bytes(1000, alphabet: [9, 8, 7])
        let compressed = LZW.compress(input)
        #expect(try LZW.decompress(compressed, limit: 1000) == input)
        #expect(throws: CompressionError.outputLimitExceeded(limit: 999)) {
            try LZW.decompress(compressed, limit: 999)
        }
        #expect(throws: CompressionError.outputLimitExceeded(limit: 0)) {
            try LZW.decompress(compressed, limit: 0)
        }
    }

    @Test func stopsABombAtTheLimit() throws {
        let bomb = LZW.compress([UInt8](repeating: 0, count: 4_000_000))
        #expect(bomb.count < 10_000)
        #expect(throws: CompressionError.outputLimitExceeded(limit: 64 * 1024)) {
            try LZW.decompress(bomb, limit: 64 * 1024)
        }
    }

    /// A foreign encoder that never clears fills the dictionary: at 4096 entries the decoder
    /// keeps 12-bit codes and stops defining entries until a clear (memberlist-wire.md §6).
    @Test func freezesFullDictionaryUntilClear() throws {
        var random = SplitMix64(seed: 0x5EED_0004)
        let literals = random.bytes(3839 + 10)
        var codes: [(code: UInt16, width: Int)] = [(256, 9)]
        var nextEntry = 257
        for byte in literals {
            codes.append((UInt16(byte), LZWStreamBuilder.width(highestAssigned: nextEntry)))
            nextEntry = min(nextEntry + 1, 4095)
        }
        // Entry 4095 was defined as literals[3837] + literals[3838] and must still hold that.
        codes.append((4095, 12))
        codes.append((4095, 12))
        // After a clear, codes are 9 bits again.
        codes.append((256, 12))
        codes.append((65, 9))
        codes.append((257, 9))
        let expected = literals + [literals[3837], literals[3838]] + [literals[3837], literals[3838]] + [65]
        #expect(try LZW.decompress(LZWStreamBuilder.pack(codes), limit: expected.count) == expected)
    }

    @Test func survivesSeededGarbage() throws {
        var random = SplitMix64(seed: 0x5EED_0005)
        var failures = 0
        for round in 0..<2000 {
            var garbage = random.bytes(Int.random(in: 0...96, using: &random))
            if round % 2 == 0 { garbage = [0x00] + garbage }
            do {
                let output = try LZW.decompress(garbage, limit: 4096)
                #expect(output.count <= 4096)
            } catch {
                failures += 1
            }
        }
        #expect(failures > 0)
    }
}
