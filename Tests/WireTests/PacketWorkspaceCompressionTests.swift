import Testing
@testable import Wire

/// One `PacketWorkspace` serves every packet of a node (memberlist-wire.md §3.1 step 2,
/// §6): reusing it must give exactly what a fresh, allocating codec gives, packet after
/// packet, including after dictionary resets, errors and nested compress messages.
@Suite struct PacketWorkspaceCompressionTests {
    /// Inputs in an order that leaves dirty state behind: a stream that fills and resets the
    /// LZW dictionary is followed by short ones that must not see its entries.
    static func mixedInputs() -> [[UInt8]] {
        var random = SplitMix64(seed: 0x5EED_00C0)
        return [
            Array("abababab".utf8),
            LZWStreamBuilder.distinctPairs(count: 9000),
            [],
            Array("aaaa".utf8),
            random.bytes(20_000),
            (0..<300).flatMap { Array("member-\($0 % 17) alive; ".utf8) },
            [0],
            random.bytes(70_000, alphabet: [1, 2, 3]),
            Array("abababab".utf8),
        ]
    }

    @Test(arguments: [CompressionAlgorithm.lzw, .snappy])
    func reusedCompressorMatchesOneShot(algorithm: CompressionAlgorithm) throws {
        var workspace = PacketWorkspace()
        for input in Self.mixedInputs() {
            let reused = try input.withUnsafeBytes { raw in
                try workspace.compress(raw, algorithm: algorithm) { Array($0) }
            }
            #expect(reused == Compressor.compress(algorithm: algorithm, input), "input of \(input.count) bytes")
        }
    }

    @Test(arguments: [CompressionAlgorithm.lzw, .snappy])
    func reusedDecompressorMatchesOneShot(algorithm: CompressionAlgorithm) throws {
        var workspace = PacketWorkspace()
        for input in Self.mixedInputs() where !input.isEmpty {
            let compressed = Compressor.compress(algorithm: algorithm, input)
            let plain = try compressed.withUnsafeBytes { raw in
                try workspace.decompress(raw, algorithm: algorithm.rawValue, limit: 1 << 20) { bytes, _ in Array(bytes) }
            }
            #expect(plain == input, "input of \(input.count) bytes")
        }
    }

    /// Failed streams (garbage, over the limit, empty output, unknown Algo) throw the same
    /// error a fresh decoder throws and leave nothing behind for the next packet.
    @Test func errorsMatchOneShotAndDoNotLeak() throws {
        var random = SplitMix64(seed: 0x5EED_00C1)
        let valid = Array("member-1 alive; member-2 alive; member-1 alive;".utf8)
        let validStream = LZW.compress(valid)
        var streams: [(algorithm: UInt8, bytes: [UInt8], limit: Int)] = [
            (0, LZW.compress([UInt8](repeating: 9, count: 5000)), 100),  // over the limit
            (0, LZW.compress([]), 100),  // empty output
            (7, validStream, 100),  // unknown Algo
            (1, random.bytes(40), 100),  // not snappy
        ]
        for _ in 0..<50 { streams.append((0, [0x00] + random.bytes(Int.random(in: 1...64, using: &random)), 4096)) }
        var workspace = PacketWorkspace()
        for stream in streams {
            let expected = Result { () throws(PacketError) -> [UInt8] in
                do throws(CompressionError) {
                    return try Decompressor.decompress(algorithm: stream.algorithm, stream.bytes, limit: stream.limit)
                } catch {
                    throw PacketError(error)
                }
            }
            let reused = Result { () throws(PacketError) -> [UInt8] in
                try stream.bytes.withUnsafeBytes { raw in
                    Result { () throws(PacketError) in
                        try workspace.decompress(raw, algorithm: stream.algorithm, limit: stream.limit) { bytes, _ in Array(bytes) }
                    }
                }.get()
            }
            #expect(reused == expected)
            let after = try validStream.withUnsafeBytes { raw in
                try workspace.decompress(raw, algorithm: 0, limit: 1024) { bytes, _ in Array(bytes) }
            }
            #expect(after == valid)
        }
    }

    /// compress → compound → (ping, compress → alive): the inner compress message is decoded
    /// while the outer plain bytes are still being read, with the same workspace.
    @Test func nestedCompressMessagesDecodeWithOneWorkspace() throws {
        var alive = WireBuffer()
        PacketPipelineTests.alive.encode(into: &alive)
        var ping = WireBuffer()
        PacketPipelineTests.ping.encode(into: &ping)
        let compound = WireBuffer(try CompoundFraming.compound([ping.bytes, Self.compressMessage(alive.bytes)]))
        let packet = Self.compressMessage(compound.bytes)

        var workspace = PacketWorkspace()
        for _ in 0..<3 {
            var messages: [Message] = []
            let report = try packet.withUnsafeBytes { raw in
                try PacketDecoder.decode(raw, security: PacketSecurity(), workspace: &workspace) { messages.append($0) }
            }
            #expect(messages == [PacketPipelineTests.ping, PacketPipelineTests.alive])
            #expect(report.delivered == 2 && report.droppedParts == 0)
        }
    }

    /// With a workspace the encoder writes the same bytes: a ping stays plain (compressing
    /// would not make it smaller), a repetitive user message goes out compressed.
    @Test func encoderWithWorkspaceWritesSameBytes() throws {
        let security = PacketSecurity(compress: true, crc: true)
        let user = Message.user(Array(repeating: Array("ring-token ".utf8), count: 40).flatMap { $0 })
        var workspace = PacketWorkspace()
        var scratch = WireBuffer(), reused = WireBuffer(), fresh = WireBuffer()
        for message in [PacketPipelineTests.ping, user, PacketPipelineTests.ping, user] {
            scratch.removeAll()
            message.encode(into: &scratch)
            reused.removeAll()
            fresh.removeAll()
            try scratch.withUnsafeBytes { (raw) throws(PacketError) in
                try PacketEncoder.encode(raw, security: security, workspace: &workspace, into: &reused)
                try PacketEncoder.encode(raw, security: security, into: &fresh)
            }
            #expect(reused.bytes == fresh.bytes)
            #expect(try PacketDecoder.decodeAll(reused.bytes, security: security) == [message])
        }
        var compressedUser = WireBuffer()
        scratch.removeAll()
        user.encode(into: &scratch)
        try scratch.withUnsafeBytes { (raw) throws(PacketError) in
            try PacketEncoder.encode(raw, security: PacketSecurity(compress: true), workspace: &workspace, into: &compressedUser)
        }
        #expect(compressedUser.bytes.first == MessageType.compress.rawValue)
    }

    /// `09 {Algo: 0, Buf: lzw(inner)}`.
    static func compressMessage(_ inner: [UInt8]) -> [UInt8] {
        var out = WireBuffer()
        out.append(MessageType.compress.rawValue)
        LZW.compress(inner).withUnsafeBytes { CompressedPayload.encode(algorithm: 0, buffer: $0, into: &out) }
        return out.bytes
    }
}
