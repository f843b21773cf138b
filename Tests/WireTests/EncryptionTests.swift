import Testing
@testable import Wire

/// AES-GCM payloads, memberlist-wire.md §5 and the §12 vectors.
@Suite struct EncryptionTests {
    private let key: [UInt8] = Array(0x00...0x0f)
    private let nonce: [UInt8] = Array(0x64...0x6f)
    /// The §12 CRC-wrapped ping: `0c` + CRC32 + ping message.
    private let crcPing = TransformHex.decode(
        "0ca73542e9" + "0085a44e6f6465a66e6f64652d62a55365714e6fcd012caa536f7572636541646472a40a000001aa536f757263"
            + "654e6f6465a66e6f64652d61aa536f75726365506f7274cd1f0a") ?? []
    /// Ciphertext of `crcPing` under `key`/`nonce` (identical with and without AAD); §12 gives
    /// its first bytes, the rest was produced by Go's crypto/cipher GCM.
    private let ciphertextBody = "16c57be732023d5ed551337520a4448855a51a5ac1ccac149ba2b0bb16a19886c89f3765ef7c553580"
        + "58274727d12b72a9fe783df262248eade16538e1ffcf330bef606ec9e7fdf8536a21d8"

    @Test func encryptsSpecVectorWithoutLabel() throws {
        #expect(crcPing.count == 76)
        let keyring = try Keyring(keys: [key])
        let payload = try keyring.encrypt(crcPing, version: .plain, additionalData: EncryptionAAD.packet(label: []), nonce: nonce)
        #expect(TransformHex.encode(payload) == "01" + "6465666768696a6b6c6d6e6f" + ciphertextBody + "0934a0bfdfb56f36d2ed317c5df474c5")
        #expect(try keyring.decrypt(payload, additionalData: []) == crcPing)
    }

    @Test func encryptsSpecVectorWithLabelAsAAD() throws {
        let keyring = try Keyring(keys: [key])
        let aad = EncryptionAAD.packet(label: Array("prod".utf8))
        let payload = try keyring.encrypt(crcPing, version: .plain, additionalData: aad, nonce: nonce)
        #expect(TransformHex.encode(payload) == "01" + "6465666768696a6b6c6d6e6f" + ciphertextBody + "3c4f3a9042711c83e2414d9c5f2b72b8")
        #expect(try keyring.decrypt(payload, additionalData: aad) == crcPing)
        #expect(throws: EncryptionError.noKeyDecrypts) { try keyring.decrypt(payload, additionalData: []) }
        #expect(throws: EncryptionError.noKeyDecrypts) { try keyring.decrypt(payload, additionalData: Array("prod2".utf8)) }
    }

    /// vsn 0: 76 bytes get 4 bytes of 0x04 (vector from Go's crypto/cipher over the padded text).
    @Test func encryptsPaddedVersionLikeGo() throws {
        let keyring = try Keyring(keys: [key])
        let payload = try keyring.encrypt(crcPing, version: .padded, additionalData: [], nonce: nonce)
        #expect(payload.count == 1 + 12 + 80 + 16)
        #expect(TransformHex.encode(payload) == "00" + "6465666768696a6b6c6d6e6f" + ciphertextBody
            + "36ef3576" + "bc1a339d2ddebd848e96d3d00cc7fac7")
        #expect(try keyring.decrypt(payload, additionalData: []) == crcPing)
    }

    @Test(arguments: EncryptionVersion.allCases)
    func roundTripsEveryLengthAndKeySize(version: EncryptionVersion) throws {
        var random = SplitMix64(seed: 0xAE5 + UInt64(version.rawValue))
        for keySize in [16, 24, 32] {
            let keyring = try Keyring(keys: [random.bytes(keySize)])
            for length in [0, 1, 15, 16, 17, 31, 32, 33, 100, 1400, 70_000] {
                let plaintext = random.bytes(length)
                let aad = random.bytes(length % 7)
                let payload = try keyring.encrypt(plaintext, version: version, additionalData: aad)
                #expect(payload.count == Keyring.encryptedLength(version, plaintextCount: length))
                #expect(payload.count <= length + Keyring.overhead(version))
                #expect(payload[0] == version.rawValue)
                #expect(try keyring.decrypt(payload, additionalData: aad) == plaintext)
            }
        }
    }

    @Test func overheadMatchesSpec() {
        #expect(Keyring.overhead(.plain) == 29)
        #expect(Keyring.overhead(.padded) == 45)
        #expect(Keyring.encryptedLength(.padded, plaintextCount: 0) == 45)
        #expect(Keyring.encryptedLength(.padded, plaintextCount: 15) == 45)
        #expect(Keyring.encryptedLength(.padded, plaintextCount: 16) == 61)
        #expect(Keyring.encryptedLength(.plain, plaintextCount: 16) == 45)
    }

    @Test func randomNoncesDifferPerMessage() throws {
        let keyring = try Keyring(keys: [key])
        let one = try keyring.encrypt(crcPing, version: .plain, additionalData: [])
        let two = try keyring.encrypt(crcPing, version: .plain, additionalData: [])
        #expect(one[1..<13] != two[1..<13])
        #expect(try keyring.decrypt(one, additionalData: []) == crcPing)
        #expect(try keyring.decrypt(two, additionalData: []) == crcPing)
    }

    @Test(arguments: [0, 11, 13, 16])
    func rejectsExplicitNonceOfWrongLength(length: Int) throws {
        let keyring = try Keyring(keys: [key])
        #expect(throws: EncryptionError.invalidNonceLength(length)) {
            try keyring.encrypt(crcPing, version: .plain, additionalData: [], nonce: [UInt8](repeating: 0, count: length))
        }
    }

    @Test func decryptsWithAnyInstalledKey() throws {
        let other = [UInt8](repeating: 0xee, count: 32)
        let sender = try Keyring(keys: [key])
        let receiver = try Keyring(keys: [other, [UInt8](repeating: 0x11, count: 24), key])
        let payload = try sender.encrypt(crcPing, version: .plain, additionalData: [])
        #expect(try receiver.decrypt(payload, additionalData: []) == crcPing)
    }

    @Test func wrongKeysDecryptNothing() throws {
        let sender = try Keyring(keys: [key])
        let receiver = try Keyring(keys: [[UInt8](repeating: 0xee, count: 16), [UInt8](repeating: 0x11, count: 32)])
        let payload = try sender.encrypt(crcPing, version: .plain, additionalData: [])
        #expect(throws: EncryptionError.noKeyDecrypts) { try receiver.decrypt(payload, additionalData: []) }
    }

    @Test func everyTamperedByteAfterTheVersionIsRejected() throws {
        let keyring = try Keyring(keys: [key])
        for version in EncryptionVersion.allCases {
            let payload = try keyring.encrypt(Array(crcPing.prefix(40)), version: version, additionalData: [], nonce: nonce)
            for index in 1..<payload.count {
                var tampered = payload
                tampered[index] ^= 0x01
                #expect(throws: EncryptionError.noKeyDecrypts) { try keyring.decrypt(tampered, additionalData: []) }
            }
        }
    }

    @Test func rejectsPayloadsShorterThanTheOverhead() throws {
        let keyring = try Keyring(keys: [key])
        #expect(throws: EncryptionError.tooShort(length: 0, minimum: 29)) { try keyring.decrypt([], additionalData: []) }
        for length in 1..<29 {
            let payload = [UInt8(1)] + [UInt8](repeating: 0, count: length - 1)
            #expect(throws: EncryptionError.tooShort(length: length, minimum: 29)) {
                try keyring.decrypt(payload, additionalData: [])
            }
        }
        for length in 1..<45 {
            let payload = [UInt8(0)] + [UInt8](repeating: 0, count: length - 1)
            #expect(throws: EncryptionError.tooShort(length: length, minimum: 45)) {
                try keyring.decrypt(payload, additionalData: [])
            }
        }
    }

    @Test(arguments: [UInt8(2), 3, 0x0a, 0xf4, 0xff])
    func rejectsUnknownVersions(version: UInt8) throws {
        let keyring = try Keyring(keys: [key])
        var payload = try keyring.encrypt(crcPing, version: .plain, additionalData: [], nonce: nonce)
        payload[0] = version
        #expect(throws: EncryptionError.unsupportedVersion(version)) { try keyring.decrypt(payload, additionalData: []) }
    }

    /// The version byte is not authenticated, so a vsn 0 payload can be built by sealing
    /// already-padded bytes and setting byte 0 to 0: the way Go's encryptor lays it out.
    private func paddedPayload(sealing plaintext: [UInt8], with keyring: Keyring) throws -> [UInt8] {
        var payload = try keyring.encrypt(plaintext, version: .plain, additionalData: [], nonce: nonce)
        payload[0] = EncryptionVersion.padded.rawValue
        return payload
    }

    @Test func stripsAFullBlockOfGoPadding() throws {
        let keyring = try Keyring(keys: [key])
        let message = Array(crcPing.prefix(32))
        let payload = try paddedPayload(sealing: message + [UInt8](repeating: 16, count: 16), with: keyring)
        #expect(try keyring.decrypt(payload, additionalData: []) == message)
        // And our own encryptor pads an aligned message with a full block too.
        let ours = try keyring.encrypt(message, version: .padded, additionalData: [], nonce: nonce)
        #expect(ours == payload)
    }

    @Test func stripsPaddingDownToEmpty() throws {
        let keyring = try Keyring(keys: [key])
        let payload = try paddedPayload(sealing: [UInt8](repeating: 16, count: 16), with: keyring)
        #expect(try keyring.decrypt(payload, additionalData: []) == [])
    }

    @Test(arguments: [UInt8(0), 17, 32, 0xff])
    func rejectsPadLengthsOutsideOneToSixteen(pad: UInt8) throws {
        let keyring = try Keyring(keys: [key])
        let payload = try paddedPayload(sealing: [UInt8](repeating: 7, count: 31) + [pad], with: keyring)
        #expect(throws: EncryptionError.badPadding) { try keyring.decrypt(payload, additionalData: []) }
    }

    @Test func streamAADIsTypeLengthAndLabel() {
        #expect(EncryptionAAD.stream(length: 0x0102_0304, label: Array("ab".utf8)) == [0x0a, 1, 2, 3, 4, 0x61, 0x62])
        #expect(EncryptionAAD.stream(length: 109, label: []) == [0x0a, 0, 0, 0, 109])
        #expect(EncryptionAAD.packet(label: Array("prod".utf8)) == Array("prod".utf8))
        #expect(EncryptionAAD.packet(label: []) == [])
    }

    @Test func streamPayloadIsBoundToItsLengthHeader() throws {
        let keyring = try Keyring(keys: [key])
        let label = Array("prod".utf8)
        let length = UInt32(Keyring.encryptedLength(.plain, plaintextCount: crcPing.count))
        let aad = EncryptionAAD.stream(length: length, label: label)
        let payload = try keyring.encrypt(crcPing, version: .plain, additionalData: aad)
        #expect(payload.count == Int(length))
        #expect(try keyring.decrypt(payload, additionalData: aad) == crcPing)
        let otherLength = EncryptionAAD.stream(length: length + 1, label: label)
        #expect(throws: EncryptionError.noKeyDecrypts) { try keyring.decrypt(payload, additionalData: otherLength) }
    }

    @Test func acceptsRawBufferForms() throws {
        let keyring = try Keyring(keys: [key])
        let payload = try crcPing.withUnsafeBytes { plain in
            try [UInt8]().withUnsafeBytes { aad in
                try keyring.encrypt(plain, version: .plain, additionalData: aad, nonce: nonce)
            }
        }
        let decrypted = try payload.withUnsafeBytes { bytes in
            try [UInt8]().withUnsafeBytes { aad in try keyring.decrypt(bytes, additionalData: aad) }
        }
        #expect(decrypted == crcPing)
    }
}
