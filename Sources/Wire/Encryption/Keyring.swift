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
    /// At vsn 0 the plaintext is padded first (memberlist-wire.md §5). Allocates the result and
    /// a cipher context: for tests and streams; packets use `PacketWorkspace.sealPacket`.
    public func encrypt(
        _ plaintext: UnsafeRawBufferPointer, version: EncryptionVersion,
        additionalData: UnsafeRawBufferPointer, nonce: [UInt8]? = nil
    ) throws(EncryptionError) -> [UInt8] {
        if let nonce, nonce.count != AESGCM.nonceSize { throw .invalidNonceLength(nonce.count) }
        let total = Self.encryptedLength(version, plaintextCount: plaintext.count)
        guard total <= Int(Int32.max) else { throw .payloadTooLarge(length: plaintext.count) }
        var contexts = AESGCMContexts(direction: .seal)
        var failure: EncryptionError?
        let payload = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            initialized = 0
            let region = UnsafeMutableRawBufferPointer(buffer)
            region.copyMemory(from: plaintext)
            do throws(EncryptionError) {
                if let nonce {
                    try nonce.withTypedUnsafeBytes { (nonce) throws(EncryptionError) in
                        try seal(inPlace: region, plaintextCount: plaintext.count, version: version,
                                 additionalData: additionalData, nonce: nonce, contexts: &contexts)
                    }
                } else {
                    try seal(inPlace: region, plaintextCount: plaintext.count, version: version,
                             additionalData: additionalData, nonce: nil, contexts: &contexts)
                }
                initialized = total
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
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

    /// Encrypts in place with the primary key: `region` is exactly
    /// `encryptedLength(version, plaintextCount:)` bytes with the plaintext at its start, and
    /// ends up holding vsn, nonce, ciphertext and tag (memberlist-wire.md §5). The nonce is
    /// `nonce` when given (tests), else drawn from RAND_bytes straight into place.
    func seal(inPlace region: UnsafeMutableRawBufferPointer, plaintextCount: Int, version: EncryptionVersion,
              additionalData: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer?,
              contexts: inout AESGCMContexts) throws(EncryptionError) {
        if let nonce, nonce.count != AESGCM.nonceSize { throw .invalidNonceLength(nonce.count) }
        let total = Self.encryptedLength(version, plaintextCount: plaintextCount)
        guard total <= Int(Int32.max) else { throw .payloadTooLarge(length: plaintextCount) }
        guard region.count == total, let base = region.baseAddress else { throw .cipherFailure }
        let headerSize = 1 + AESGCM.nonceSize
        let padCount = version == .padded ? PKCS7Padding.padLength(forCount: plaintextCount) : 0
        let bodySize = plaintextCount + padCount
        // Make room for vsn and nonce in front of the plaintext (the regions overlap: memmove).
        (base + headerSize).copyMemory(from: base, byteCount: plaintextCount)
        region[0] = version.rawValue
        let nonceSlot = UnsafeMutableRawBufferPointer(rebasing: region[1..<headerSize])
        if let nonce { nonceSlot.copyMemory(from: nonce) } else { try SecureRandom.fill(nonceSlot) }
        for index in (headerSize + plaintextCount)..<(headerSize + bodySize) {
            region[index] = UInt8(truncatingIfNeeded: padCount)
        }
        let key = primaryKey
        guard let context = contexts.context(forKeyLength: key.count),
              context.seal(key: key, nonce: UnsafeRawBufferPointer(nonceSlot), additionalData: additionalData,
                           data: UnsafeMutableRawBufferPointer(rebasing: region[headerSize..<(headerSize + bodySize)]),
                           tag: UnsafeMutableRawBufferPointer(rebasing: region[(headerSize + bodySize)...]))
        else { throw .cipherFailure }
    }

    /// Tries every key in order; strips vsn-0 padding (last byte = pad length, bounds-checked).
    /// Allocates the result and a cipher context: for tests and streams; packets use
    /// `PacketWorkspace.openPacket`.
    /// - Throws: `.tooShort` below the version's overhead, `.unsupportedVersion` for vsn > 1,
    ///   `.noKeyDecrypts` when no key authenticates it, `.badPadding` for a bad vsn 0 pad.
    public func decrypt(_ payload: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer) throws(EncryptionError) -> [UInt8] {
        var contexts = AESGCMContexts(direction: .open)
        var plaintext = [UInt8](repeating: 0, count: Self.plaintextCapacity(payloadCount: payload.count))
        let kept = try plaintext.withUnsafeMutableBytes { destination in
            Result { () throws(EncryptionError) in
                try open(payload, additionalData: additionalData, into: destination, contexts: &contexts)
            }
        }.get()
        plaintext.removeLast(plaintext.count - kept)
        return plaintext
    }

    public func decrypt(_ payload: [UInt8], additionalData: [UInt8]) throws(EncryptionError) -> [UInt8] {
        try payload.withUnsafeBytes { bytes in
            additionalData.withUnsafeBytes { aad in
                Result { () throws(EncryptionError) in try decrypt(bytes, additionalData: aad) }
            }
        }.get()
    }

    /// Room `open` needs for a payload of `payloadCount` bytes: its ciphertext length.
    static func plaintextCapacity(payloadCount: Int) -> Int {
        max(0, payloadCount - fixedOverhead)
    }

    /// Decrypts `payload` into the start of `destination` (at least
    /// `plaintextCapacity(payloadCount:)` bytes), trying every key in order, and returns the
    /// plaintext length with vsn-0 padding removed (memberlist-wire.md §5). Errors as `decrypt`.
    func open(_ payload: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
              into destination: UnsafeMutableRawBufferPointer, contexts: inout AESGCMContexts) throws(EncryptionError) -> Int {
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
        guard destination.count >= ciphertext.count else { throw .cipherFailure }
        let plaintext = UnsafeMutableRawBufferPointer(rebasing: destination[0..<ciphertext.count])
        var opened = false
        for key in keys where !opened {
            guard let context = contexts.context(forKeyLength: key.count) else { throw .cipherFailure }
            opened = context.open(key: key, nonce: nonce, additionalData: additionalData,
                                  ciphertext: ciphertext, tag: tag, into: plaintext)
        }
        guard opened else { throw .noKeyDecrypts }
        guard version == .padded else { return ciphertext.count }
        return try PKCS7Padding.unpaddedCount(UnsafeRawBufferPointer(plaintext))
    }

    private static func validate(_ key: [UInt8]) throws(KeyringError) {
        guard AESGCM.validKeyLengths.contains(key.count) else { throw .invalidKeyLength(key.count) }
    }
}
