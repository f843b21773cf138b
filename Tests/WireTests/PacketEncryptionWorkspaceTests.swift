import Testing
@testable import Wire

/// Packet encryption through a reused `PacketWorkspace` (memberlist-wire.md §3.1 step 4,
/// §5): sealing in place and opening into a reused buffer, with cipher contexts kept between
/// packets, must give exactly what the one-shot `Keyring` API gives, packet after packet,
/// across key rotation, failures, and compressed or compound content.
@Suite struct PacketEncryptionWorkspaceTests {
    static let key16: [UInt8] = Array(0x00...0x0f)
    static let otherKey16: [UInt8] = Array(repeating: 0x16, count: 16)
    static let key24: [UInt8] = Array(repeating: 0x24, count: 24)
    static let key32: [UInt8] = Array(repeating: 0x32, count: 32)
    static let ping = MessageVectorTests.ping
    static let alive = MessageVectorTests.alive

    /// Encodes `message` with the caller's reused buffers and workspace, as the node does.
    static func encode(_ message: Message, _ security: PacketSecurity, crc: Bool? = nil,
                       workspace: inout PacketWorkspace) throws -> [UInt8] {
        var scratch = WireBuffer(capacity: 1400), out = WireBuffer(capacity: 1400)
        try PacketEncoder.encode(message, security: security, crc: crc, scratch: &scratch, workspace: &workspace, into: &out)
        return out.bytes
    }

    /// Decodes with the caller's reused workspace, collecting the messages.
    static func decode(_ packet: [UInt8], _ security: PacketSecurity, workspace: inout PacketWorkspace) throws(PacketError) -> [Message] {
        var messages: [Message] = []
        _ = try packet.withTypedUnsafeBytes { (raw) throws(PacketError) in
            try PacketDecoder.decode(raw, security: security, workspace: &workspace) { messages.append($0) }
        }
        return messages
    }

    /// The bytes after `prefix` sealed in place equal the one-shot encryption with the same
    /// nonce, and `prefix` (here a label header) is left alone; one workspace serves every case.
    @Test func inPlaceSealMatchesOneShotEncryption() throws {
        var random = SplitMix64(seed: 0xC1FE_0001)
        var workspace = PacketWorkspace()
        let prefix: [UInt8] = [0xf4, 4] + Array("prod".utf8)
        for version in EncryptionVersion.allCases {
            for key in [Self.key16, Self.key24, Self.key32] {
                let keyring = try Keyring(keys: [key])
                for length in [0, 1, 15, 16, 17, 76, 1400, 9000] {
                    let plaintext = random.bytes(length), nonce = random.bytes(12), aad = random.bytes(length % 5)
                    var out = WireBuffer(prefix + plaintext)
                    try aad.withUnsafeBytes { aad in
                        try nonce.withUnsafeBytes { nonce in
                            try workspace.sealPacket(&out, from: prefix.count, keyring: keyring, version: version,
                                                     additionalData: aad, nonce: nonce)
                        }
                    }
                    let expected = try keyring.encrypt(plaintext, version: version, additionalData: aad, nonce: nonce)
                    #expect(out.bytes == prefix + expected, "vsn \(version.rawValue), key \(key.count), length \(length)")
                    #expect(out.count == prefix.count + Keyring.encryptedLength(version, plaintextCount: length))
                }
            }
        }
    }

    /// The §12 vector (CRC-wrapped ping, key 00..0f, nonce 64..6f, label "prod" as AAD) sealed
    /// by the workspace gives Go's tag.
    @Test func inPlaceSealReproducesTheSpecVector() throws {
        var workspace = PacketWorkspace()
        let keyring = try Keyring(keys: [Self.key16])
        let nonce: [UInt8] = Array(0x64...0x6f)
        var out = WireBuffer(hex("0ca73542e9") + hex(MessageVectorTests.pingHex))
        try Array("prod".utf8).withUnsafeBytes { aad in
            try nonce.withUnsafeBytes { nonce in
                try workspace.sealPacket(&out, from: 0, keyring: keyring, version: .plain, additionalData: aad, nonce: nonce)
            }
        }
        #expect(Array(out.bytes.prefix(13)) == [1] + nonce)
        #expect(Array(out.bytes.suffix(16)) == hex("3c4f3a9042711c83e2414d9c5f2b72b8"))
    }

    /// A nonce of the wrong length is refused, the buffer is cut back to the start of the
    /// payload, and the same workspace then seals a good packet.
    @Test func failedSealLeavesNothingBehind() throws {
        var workspace = PacketWorkspace()
        let keyring = try Keyring(keys: [Self.key16])
        let plaintext = hex(MessageVectorTests.pingHex)
        var out = WireBuffer([0xf4, 1, 0x61] + plaintext)
        #expect(throws: EncryptionError.invalidNonceLength(11)) {
            try [UInt8](repeating: 0, count: 11).withUnsafeBytes { nonce in
                try workspace.sealPacket(&out, from: 3, keyring: keyring, version: .plain,
                                         additionalData: UnsafeRawBufferPointer(start: nil, count: 0), nonce: nonce)
            }
        }
        #expect(out.bytes == [0xf4, 1, 0x61])
        out.append(contentsOf: plaintext)
        try workspace.sealPacket(&out, from: 3, keyring: keyring, version: .padded,
                                 additionalData: UnsafeRawBufferPointer(start: nil, count: 0))
        let opened = try keyring.decrypt(Array(out.bytes.dropFirst(3)), additionalData: [])
        #expect(opened == plaintext)
    }

    /// Many packets of every shape through one sending and one receiving workspace: bare,
    /// CRC, compressed, compounds, both versions, with and without a label. Each decodes to
    /// what was sent, and the reused decoder agrees with a fresh one.
    @Test func oneWorkspacePairServesManyPackets() throws {
        var random = SplitMix64(seed: 0xC1FE_0002)
        let keyring = try Keyring(keys: [Self.key16, Self.key32])
        var sending = PacketWorkspace(), receiving = PacketWorkspace()
        var sent = 0
        for round in 0..<120 {
            let version: EncryptionVersion = round % 2 == 0 ? .plain : .padded
            let label: [UInt8] = round % 3 == 0 ? [] : Array("cluster-\(round % 4)".utf8)
            let security = PacketSecurity(label: label, keyring: keyring, encryptionVersion: version,
                                          compress: round % 4 < 2, crc: round % 5 < 3)
            let message: Message
            switch round % 4 {
            case 0: message = Self.ping
            case 1: message = .user([UInt8](repeating: UInt8(round), count: 50 + round * 37))  // compressible
            case 2: message = .user(random.bytes(1 + round * 11))  // not compressible
            default: message = .ack(AckResponse(seqNo: UInt32(round), payload: random.bytes(round % 7)))
            }
            let packet = try Self.encode(message, security, workspace: &sending)
            #expect(try Self.decode(packet, security, workspace: &receiving) == [message], "round \(round)")
            #expect(try PacketDecoder.decodeAll(packet, security: security) == [message], "round \(round)")
            sent += 1
        }
        #expect(sent == 120)
    }

    /// A compound holding a compressed compound, sealed and opened with reused workspaces:
    /// the decrypted buffer stays valid while the decoder decompresses with the same workspace.
    @Test func encryptedCompressedCompoundInsideCompound() throws {
        let keyring = try Keyring(keys: [Self.key24])
        let security = PacketSecurity(label: Array("prod".utf8), keyring: keyring, crc: true)
        let inner = WireBuffer(try CompoundFraming.compound([Self.ping.encodedBytes, Self.alive.encodedBytes]))
        let compressed = [0x09] + CompressedPayload(algorithm: 0, buffer: LZW.compress(inner.bytes)).messagePackBytes
        let nack = Message.nack(NackResponse(seqNo: 3))
        let outer = WireBuffer(try CompoundFraming.compound([compressed, nack.encodedBytes, compressed]))
        var sending = PacketWorkspace(), receiving = PacketWorkspace()
        for _ in 0..<3 {
            var packet = WireBuffer(capacity: 1400)
            try outer.withUnsafeBytes { (raw) throws(PacketError) in
                try PacketEncoder.encode(raw, security: security, workspace: &sending, into: &packet)
            }
            #expect(try Self.decode(packet.bytes, security, workspace: &receiving)
                == [Self.ping, Self.alive, nack, Self.ping, Self.alive])
        }
    }

    /// Key rotation (Go's UseKey, §5): the sender's workspace must encrypt with the new
    /// primary key at once, not with the key its context expanded before (two keys share the
    /// AES-128 context); a receiver holding every key opens each packet with one workspace,
    /// and a receiver holding only another key does not.
    @Test func rotationSwitchesTheSealingKeyAndOpensWithAnyKey() throws {
        var senderRing = try Keyring(keys: [Self.key16])
        let allKeys = [Self.key16, Self.otherKey16, Self.key24, Self.key32]
        let everyKey = PacketSecurity(keyring: try Keyring(keys: [Self.key32, Self.otherKey16, Self.key24, Self.key16]))
        var sending = PacketWorkspace(), receiving = PacketWorkspace(), single = PacketWorkspace()
        for (step, key) in [Self.key16, Self.otherKey16, Self.key24, Self.key16, Self.key32, Self.otherKey16].enumerated() {
            try senderRing.use(primary: key)
            let sender = PacketSecurity(keyring: senderRing, encryptionVersion: step % 2 == 0 ? .plain : .padded)
            for _ in 0..<3 {
                let packet = try Self.encode(Self.ping, sender, workspace: &sending)
                #expect(try Self.decode(packet, everyKey, workspace: &receiving) == [Self.ping], "step \(step)")
                #expect(try Keyring(keys: [key]).decrypt(packet, additionalData: []) == hex(MessageVectorTests.pingHex))
                for other in allKeys where other != key {
                    let onlyOther = PacketSecurity(keyring: try Keyring(keys: [other]))
                    #expect(throws: PacketError.self) { try Self.decode(packet, onlyOther, workspace: &single) }
                }
            }
        }
    }

    /// Bad packets (wrong key, truncated, tampered tag or nonce, unknown version, bad vsn 0
    /// padding) each fail with decryptionFailed, and the next good packet through the same
    /// workspace decodes.
    @Test func failuresDoNotPoisonTheWorkspace() throws {
        let keyring = try Keyring(keys: [Self.key16, Self.key32])
        let security = PacketSecurity(label: Array("l".utf8), keyring: keyring, compress: true, crc: true)
        var sending = PacketWorkspace(), receiving = PacketWorkspace()
        let user = Message.user([UInt8](repeating: 0x61, count: 300))
        let good = try Self.encode(user, security, workspace: &sending)
        let labelSize = 3
        let wrongKey = try Self.encode(user, PacketSecurity(label: Array("l".utf8), keyring: try Keyring(keys: [Self.key24])),
                                       workspace: &sending)
        var tamperedTag = good
        tamperedTag[tamperedTag.count - 1] ^= 0x80
        var tamperedNonce = good
        tamperedNonce[labelSize + 5] ^= 0x01
        var badVersion = good
        badVersion[labelSize] = 2
        // vsn 0 whose last plaintext byte is 0: authenticates, but the pad length is invalid.
        let badPad = try Array("l".utf8).withUnsafeBytes { aad in
            try [UInt8](repeating: 0, count: 16).withUnsafeBytes { plain in
                try keyring.encrypt(plain, version: .plain, additionalData: aad)
            }
        }
        var badPadPacket = [0xf4, 1] + Array("l".utf8) + badPad
        badPadPacket[labelSize] = 0
        let bad: [[UInt8]] = [wrongKey, Array(good.prefix(labelSize + 28)), Array(good.prefix(good.count - 1)),
                              tamperedTag, tamperedNonce, badVersion, badPadPacket,
                              Array(good.prefix(labelSize))]
        for (index, packet) in bad.enumerated() {
            do {
                _ = try Self.decode(packet, security, workspace: &receiving)
                Issue.record("bad packet \(index) decoded")
            } catch {
                guard case .decryptionFailed = error else { Issue.record("bad packet \(index): \(error)"); continue }
            }
            #expect(try Self.decode(good, security, workspace: &receiving) == [user], "after bad packet \(index)")
        }
    }

    /// GossipVerifyIncoming off (§3.1): a plaintext packet that does not decrypt is taken as
    /// is; encrypted packets before and after it still open with the same workspace.
    @Test func lenientReceiverMixesPlaintextAndEncrypted() throws {
        let keyring = try Keyring(keys: [Self.key16])
        let strict = PacketSecurity(keyring: keyring)
        var lenient = strict
        lenient.verifyIncoming = false
        var sending = PacketWorkspace(), receiving = PacketWorkspace()
        let encrypted = try Self.encode(Self.ping, strict, workspace: &sending)
        let plain = hex(MessageVectorTests.pingHex)
        for packet in [encrypted, plain, encrypted, plain, plain, encrypted] {
            #expect(try Self.decode(packet, lenient, workspace: &receiving) == [Self.ping])
        }
        #expect(throws: PacketError.self) { try Self.decode(plain, strict, workspace: &receiving) }
        #expect(try Self.decode(encrypted, strict, workspace: &receiving) == [Self.ping])
    }

    /// A payload larger than the retained buffer (64 KiB) opens, its buffer is not kept, and
    /// a small packet after it opens into a fresh one.
    @Test func oversizedPlaintextIsOpenedAndReleased() throws {
        var random = SplitMix64(seed: 0xC1FE_0003)
        let keyring = try Keyring(keys: [Self.key16])
        var workspace = PacketWorkspace()
        for length in [100, 70_000, 100, 65_000] {
            let plaintext = random.bytes(length)
            let payload = try keyring.encrypt(plaintext, version: .padded, additionalData: [])
            let opened = try payload.withUnsafeBytes { raw in
                try [UInt8]().withUnsafeBytes { aad in
                    try workspace.openPacket(raw, keyring: keyring, additionalData: aad) { plain, _ in Array(plain) }.get()
                }
            }
            #expect(opened == plaintext, "length \(length)")
            #expect(workspace.encryption.plaintext.capacity <= EncryptionWorkspace.retainedCapacity)
        }
    }
}
