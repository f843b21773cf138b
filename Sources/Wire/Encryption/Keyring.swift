/// The AES-GCM keys of a node (memberlist-wire.md §5; behaviour of Go's keyring.go).
///
/// The first key is primary and encrypts; decryption tries every key in order. Keys are
/// unique: adding an installed key again changes nothing.
public struct Keyring: Sendable {
    public private(set) var keys: [[UInt8]]

    /// vsn(1) + nonce(12) + tag(16).
    private static let fixedOverhead = 1 + AESGCM.nonceSize + AESGCM.tagSize

    /// - Throws: `.noKeys` for an empty list, `.invalidKeyLength` for a key that is not
    ///   16, 24 or 32 bytes.
    public init(keys: [[UInt8]]) throws(KeyringError) {
        guard !keys.isEmpty else { throw .noKeys }
        var unique: [[UInt8]] = []
        for key in keys {
            try Self.validate(key)
            if !unique.contains(key) { unique.append(key) }
        }
        self.keys = unique
    }

    /// The key that encrypts outgoing traffic.
    public var primaryKey: [UInt8] {
        keys[0]
    }

    /// Installs `key` if missing and makes it primary (Go's AddKey followed by UseKey).
    public mutating func use(primary key: [UInt8]) throws(KeyringError) {
        try Self.validate(key)
        keys.removeAll { $0 == key }
        keys.insert(key, at: 0)
    }

    /// Uninstalls `key`; a key that is not installed is ignored, as in Go.
    /// - Throws: `.cannotRemovePrimary` for the primary key.
    public mutating func remove(_ key: [UInt8]) throws(KeyringError) {
        guard key != primaryKey else { throw .cannotRemovePrimary }
        keys.removeAll { $0 == key }
    }

    /// Largest number of bytes encryption adds: 29 for vsn 1, 45 for vsn 0 (a full pad block).
    /// Used for the piggyback byte budget (memberlist-wire.md §3.4).
    public static func overhead(_ version: EncryptionVersion) -> Int {
        switch version {
        case .plain: fixedOverhead
        case .padded: fixedOverhead + PKCS7Padding.blockSize
        }
    }

    /// Exact size of an encrypted payload: the stream header's LEN, which the stream AAD
    /// needs before encrypting (memberlist-wire.md §4.1).
    public static func encryptedLength(_ version: EncryptionVersion, plaintextCount: Int) -> Int {
        switch version {
        case .plain: fixedOverhead + plaintextCount
        case .padded: fixedOverhead + plaintextCount + PKCS7Padding.padLength(forCount: plaintextCount)
        }
    }

    /// vsn(1) nonce(12) ciphertext tag(16); nonce random (OpenSSL RAND_bytes) unless given (tests).
    /// At vsn 0 the plaintext is padded first (memberlist-wire.md §5).
    public func encrypt(
        _ plaintext: UnsafeRawBufferPointer, version: EncryptionVersion,
        additionalData: UnsafeRawBufferPointer, nonce: [UInt8]? = nil
    ) throws(EncryptionError) -> [UInt8] {
        let nonceBytes: [UInt8]
        if let nonce {
            guard nonce.count == AESGCM.nonceSize else { throw .invalidNonceLength(nonce.count) }
            nonceBytes = nonce
        } else {
            nonceBytes = try SecureRandom.bytes(AESGCM.nonceSize)
        }
        let total = Self.encryptedLength(version, plaintextCount: plaintext.count)
        guard total <= Int(Int32.max) else { throw .payloadTooLarge(length: plaintext.count) }
        let padCount = version == .padded ? PKCS7Padding.padLength(forCount: plaintext.count) : 0
        let padding = [UInt8](repeating: UInt8(truncatingIfNeeded: padCount), count: padCount)
        let key = primaryKey
        var sealed = false
        let payload = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            initialized = 0
            buffer[0] = version.rawValue
            for (index, byte) in nonceBytes.enumerated() { buffer[1 + index] = byte }
            let body = UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[(1 + AESGCM.nonceSize)...]))
            sealed = nonceBytes.withUnsafeBytes { nonce in
                padding.withUnsafeBytes { pad in
                    AESGCM.seal(key: key, nonce: nonce, additionalData: additionalData,
                                parts: [plaintext, pad], into: body)
                }
            }
            if sealed { initialized = total }
        }
        guard sealed else { throw .cipherFailure }
        return payload
    }

    public func encrypt(
        _ plaintext: [UInt8], version: EncryptionVersion, additionalData: [UInt8], nonce: [UInt8]? = nil
    ) throws(EncryptionError) -> [UInt8] {
        try plaintext.withUnsafeBytes { plain in
            additionalData.withUnsafeBytes { aad in
                Result { () throws(EncryptionError) in
                    try encrypt(plain, version: version, additionalData: aad, nonce: nonce)
                }
            }
        }.get()
    }

    /// Tries every key in order; strips vsn-0 padding (last byte = pad length, bounds-checked).
    /// - Throws: `.tooShort` below the version's overhead, `.unsupportedVersion` for vsn > 1,
    ///   `.noKeyDecrypts` when no key authenticates it, `.badPadding` for a bad vsn 0 pad.
    public func decrypt(_ payload: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer) throws(EncryptionError) -> [UInt8] {
        guard let versionByte = payload.first else {
            throw .tooShort(length: 0, minimum: Self.overhead(.plain))
        }
        guard let version = EncryptionVersion(rawValue: versionByte) else {
            throw .unsupportedVersion(versionByte)
        }
        let minimum = Self.overhead(version)
        guard payload.count >= minimum else { throw .tooShort(length: payload.count, minimum: minimum) }
        guard payload.count <= Int(Int32.max) else { throw .payloadTooLarge(length: payload.count) }

        let tagStart = payload.count - AESGCM.tagSize
        let nonce = UnsafeRawBufferPointer(rebasing: payload[1..<(1 + AESGCM.nonceSize)])
        let ciphertext = UnsafeRawBufferPointer(rebasing: payload[(1 + AESGCM.nonceSize)..<tagStart])
        let tag = UnsafeRawBufferPointer(rebasing: payload[tagStart...])
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        var opened = false
        for key in keys where !opened {
            opened = plaintext.withUnsafeMutableBytes { destination in
                AESGCM.open(key: key, nonce: nonce, additionalData: additionalData,
                            ciphertext: ciphertext, tag: tag, into: destination)
            }
        }
        guard opened else { throw .noKeyDecrypts }
        if version == .padded {
            let kept = try plaintext.withUnsafeBytes { buffer in
                Result { () throws(EncryptionError) in try PKCS7Padding.unpaddedCount(buffer) }
            }.get()
            plaintext.removeLast(plaintext.count - kept)
        }
        return plaintext
    }

    public func decrypt(_ payload: [UInt8], additionalData: [UInt8]) throws(EncryptionError) -> [UInt8] {
        try payload.withUnsafeBytes { bytes in
            additionalData.withUnsafeBytes { aad in
                Result { () throws(EncryptionError) in try decrypt(bytes, additionalData: aad) }
            }
        }.get()
    }

    private static func validate(_ key: [UInt8]) throws(KeyringError) {
        guard AESGCM.validKeyLengths.contains(key.count) else { throw .invalidKeyLength(key.count) }
    }
}
