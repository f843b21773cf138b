import Testing
@testable import Wire

/// Dispatch on the compress message's Algo byte (memberlist-wire.md §6, dskit-kv-ring.md §2).
@Suite struct DecompressorTests {
    private let lzwAbababab: [UInt8] = [0x00, 0xc3, 0x88, 0x11, 0x48, 0x50, 0x4c, 0x40]

    @Test func algorithmZeroIsLZW() throws {
        #expect(try Decompressor.decompress(algorithm: 0, lzwAbababab, limit: 64) == Array("abababab".utf8))
    }

    @Test func algorithmOneIsSnappy() throws {
        let block: [UInt8] = [0x08, 0x04, 0x61, 0x62, 0x09, 0x02]
        #expect(try Decompressor.decompress(algorithm: 1, block, limit: 64) == Array("abababab".utf8))
    }

    @Test(arguments: [UInt8(2), 9, 255])
    func rejectsUnknownAlgorithms(algorithm: UInt8) {
        #expect(throws: CompressionError.unknownAlgorithm(algorithm)) {
            try Decompressor.decompress(algorithm: algorithm, lzwAbababab, limit: 64)
        }
    }

    @Test func rejectsEmptyOutputFromEitherAlgorithm() {
        #expect(throws: CompressionError.emptyOutput) {
            try Decompressor.decompress(algorithm: 0, [0x00, 0x03, 0x02], limit: 64)
        }
        #expect(throws: CompressionError.emptyOutput) {
            try Decompressor.decompress(algorithm: 1, [0x00], limit: 64)
        }
    }

    @Test func passesTheLimitToTheCodec() {
        #expect(throws: CompressionError.outputLimitExceeded(limit: 7)) {
            try Decompressor.decompress(algorithm: 0, lzwAbababab, limit: 7)
        }
        #expect(throws: CompressionError.outputLimitExceeded(limit: 7)) {
            try Decompressor.decompress(algorithm: 1, [0x08, 0x04, 0x61, 0x62, 0x09, 0x02], limit: 7)
        }
    }

    @Test func defaultLimitIsFortyMebibytes() {
        #expect(Decompressor.defaultLimit == 41_943_040)
    }

    @Test(arguments: CompressionAlgorithm.allCases)
    func compressorOutputDecodesWithTheSameAlgorithm(algorithm: CompressionAlgorithm) throws {
        var random = SplitMix64(seed: 0xA160)
        let input = random.bytes(5000, alphabet: Array("gossip".utf8))
        let compressed = Compressor.compress(algorithm: algorithm, input)
        #expect(compressed.count < input.count)
        #expect(try Decompressor.decompress(algorithm: algorithm.rawValue, compressed, limit: input.count) == input)
        let fromPointer = try compressed.withUnsafeBytes { buffer in
            try Decompressor.decompress(algorithm: algorithm.rawValue, buffer, limit: input.count)
        }
        #expect(fromPointer == input)
    }

    @Test func algorithmRawValuesMatchTheWire() {
        #expect(CompressionAlgorithm.lzw.rawValue == 0)
        #expect(CompressionAlgorithm.snappy.rawValue == 1)
    }
}
