import Testing
@testable import Wire

/// Snappy block format, compress Algo 1 in Grafana's fork (dskit-kv-ring.md §2).
@Suite struct SnappyTests {
    /// varint 8, literal "ab" (tag (2-1)<<2), copy-1 of length 6 at offset 2 (tag 1 | (6-4)<<2).
    private let handBuiltAbababab: [UInt8] = [0x08, 0x04, 0x61, 0x62, 0x09, 0x02]

    @Test func decodesHandBuiltBlockWithBackReference() throws {
        #expect(try SnappyBlock.decompress(handBuiltAbababab, limit: 8) == Array("abababab".utf8))
    }

    @Test func encodesSmallInputsAsTheFormatPrescribes() {
        #expect(SnappyBlock.compress([UInt8]()) == [0x00])
        #expect(SnappyBlock.compress([0x61]) == [0x01, 0x00, 0x61])
    }

    @Test func roundTripsVariedInputs() throws {
        var random = SplitMix64(seed: 0x5A5A_0001)
        let inputs: [[UInt8]] = [
            [],
            [1],
            random.bytes(100),
            random.bytes(100_000),
            random.bytes(150_000, alphabet: [0, 1, 2]),
            [UInt8](repeating: 0x42, count: 70_000),
        ]
        for input in inputs {
            let compressed = SnappyBlock.compress(input)
            #expect(try SnappyBlock.decompress(compressed, limit: input.count) == input)
            let viaPointer = try compressed.withUnsafeBytes { try SnappyBlock.decompress($0, limit: input.count) }
            #expect(viaPointer == input)
        }
    }

    @Test func shrinksRepetitiveInput() {
        #expect(SnappyBlock.compress([UInt8](repeating: 0x42, count: 70_000)).count < 4_000)
    }

    @Test func checksDeclaredLengthAgainstLimitBeforeDecoding() {
        // Header claims 2^31 bytes; must be refused from the varint alone.
        let claim: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x61]
        #expect(throws: CompressionError.outputLimitExceeded(limit: 1 << 20)) {
            try SnappyBlock.decompress(claim, limit: 1 << 20)
        }
        #expect(throws: CompressionError.outputLimitExceeded(limit: 7)) {
            try SnappyBlock.decompress(handBuiltAbababab, limit: 7)
        }
    }

    @Test func rejectsEmptyInput() {
        #expect(throws: CompressionError.invalidSnappyBlock) {
            try SnappyBlock.decompress([UInt8](), limit: 100)
        }
    }

    @Test func rejectsCopyBeforeStartOfOutput() {
        let badOffset: [UInt8] = [0x08, 0x04, 0x61, 0x62, 0x09, 0x05]
        #expect(throws: CompressionError.invalidSnappyBlock) {
            try SnappyBlock.decompress(badOffset, limit: 100)
        }
    }

    @Test func rejectsLengthMismatch() {
        // Declares 9 bytes but the elements produce 8.
        let short: [UInt8] = [0x09, 0x04, 0x61, 0x62, 0x09, 0x02]
        #expect(throws: CompressionError.invalidSnappyBlock) {
            try SnappyBlock.decompress(short, limit: 100)
        }
    }

    @Test func rejectsEveryTruncation() {
        var random = SplitMix64(seed: 0x5A5A_0002)
        let compressed = SnappyBlock.compress(random.bytes(3000, alphabet: Array("snappy!".utf8)))
        for end in 0..<compressed.count {
            #expect(throws: CompressionError.invalidSnappyBlock) {
                try SnappyBlock.decompress(Array(compressed[..<end]), limit: 1 << 20)
            }
        }
    }

    @Test func neverExceedsLimitOnGarbage() {
        var random = SplitMix64(seed: 0x5A5A_0003)
        var rejected = 0
        for _ in 0..<2000 {
            let garbage = random.bytes(Int.random(in: 0...80, using: &random))
            do {
                let output = try SnappyBlock.decompress(garbage, limit: 512)
                #expect(output.count <= 512)
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 0)
    }

    @Test(arguments: [0, 1, 60, 65_536, 65_537, 200_000])
    func literalOnlyFallbackBlockIsValidSnappy(length: Int) throws {
        var random = SplitMix64(seed: UInt64(length))
        let input = random.bytes(length)
        let block = input.withUnsafeBytes { SnappyBlock.literalBlock($0) }
        #expect(try SnappyBlock.decompress(block, limit: length) == input)
    }
}
