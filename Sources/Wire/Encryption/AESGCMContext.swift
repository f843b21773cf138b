import COpenSSL

/// One reused OpenSSL AES-GCM context for one direction and one AES key size
/// (memberlist-wire.md §5), so that sealing or opening a packet allocates nothing.
///
/// Measured with OpenSSL 3.0 (counting its allocations through CRYPTO_set_mem_functions):
/// `EVP_CIPHER_CTX_new` costs 3 allocations and every init that names a cipher 2 more (the
/// provider state is freed and made again), while an init with a NULL cipher on a context
/// that already has one re-keys and re-nonces it with none. So the cipher is named once,
/// at the first use; after that only the nonce is set, plus the key when it differs from the
/// one the context last expanded (decryption tries each keyring key in turn).
final class AESGCMContext {
    /// Whether the context encrypts or decrypts.
    enum Direction {
        case seal
        case open
    }

    private let context: OpaquePointer
    private let direction: Direction
    private let keyLength: Int
    private var cipherSet = false
    /// The key whose schedule the context holds; empty when none is trusted.
    private var currentKey: [UInt8] = []

    /// A context for keys of `keyLength` bytes; nil for a length AES does not have or when
    /// OpenSSL cannot allocate the context.
    init?(direction: Direction, keyLength: Int) {
        guard AESGCM.cipher(forKeyLength: keyLength) != nil, let context = EVP_CIPHER_CTX_new() else { return nil }
        self.context = context
        self.direction = direction
        self.keyLength = keyLength
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts `data` in place and writes the 16-byte tag into `tag`. Returns false when
    /// OpenSSL fails. `nonce` must not overlap `data`.
    func seal(key: [UInt8], nonce: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
              data: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer) -> Bool {
        guard direction == .seal, tag.count == AESGCM.tagSize, data.count <= Int(Int32.max),
              let tagBytes = tag.baseAddress, begin(key: key, nonce: nonce),
              absorb(additionalData) else { return false }
        var produced: Int32 = 0
        if let bytes = Self.typed(data) {
            guard EVP_EncryptUpdate(context, bytes, &produced, bytes, Int32(data.count)) == 1,
                  Int(produced) == data.count else { return false }
        }
        guard finish() else { return false }
        return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(AESGCM.tagSize), tagBytes) == 1
    }

    /// Decrypts `ciphertext` into `destination` (same length) and reports whether `tag`
    /// authenticates it under `key` and `additionalData`. On false the destination holds junk.
    func open(key: [UInt8], nonce: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
              ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer,
              into destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard direction == .open, tag.count == AESGCM.tagSize, destination.count == ciphertext.count,
              ciphertext.count <= Int(Int32.max), let tagBytes = tag.baseAddress,
              begin(key: key, nonce: nonce), absorb(additionalData) else { return false }
        var produced: Int32 = 0
        if let input = Self.typed(ciphertext), let output = Self.typed(destination) {
            guard EVP_DecryptUpdate(context, output, &produced, input, Int32(ciphertext.count)) == 1,
                  Int(produced) == ciphertext.count else { return false }
        }
        // SET_TAG only copies the 16 bytes into the context; it never writes through the pointer.
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(AESGCM.tagSize),
                                  UnsafeMutableRawPointer(mutating: tagBytes)) == 1 else { return false }
        return finish()
    }

    /// Sets the nonce (and the key when it changed) without naming the cipher again.
    private func begin(key: [UInt8], nonce: UnsafeRawBufferPointer) -> Bool {
        guard key.count == keyLength, nonce.count == AESGCM.nonceSize, let nonceBytes = Self.typed(nonce) else {
            return false
        }
        let encrypt: Int32 = direction == .seal ? 1 : 0
        if !cipherSet {
            guard EVP_CipherInit_ex(context, AESGCM.cipher(forKeyLength: keyLength), nil, nil, nil, encrypt) == 1 else {
                return false
            }
            cipherSet = true
        }
        let rekey = key != currentKey
        // A failed init leaves the schedule unknown: forget it so that the next call re-keys.
        if rekey { currentKey = [] }
        let initialized = key.withUnsafeBufferPointer { keyBytes in
            EVP_CipherInit_ex(context, nil, nil, rekey ? keyBytes.baseAddress : nil, nonceBytes, encrypt)
        }
        guard initialized == 1 else { return false }
        if rekey { currentKey = key }
        return true
    }

    /// Feeds the additional data (skipped when empty, as OpenSSL needs no call for it).
    private func absorb(_ additionalData: UnsafeRawBufferPointer) -> Bool {
        guard let bytes = Self.typed(additionalData), additionalData.count <= Int(Int32.max) else { return true }
        var produced: Int32 = 0
        return EVP_CipherUpdate(context, nil, &produced, bytes, Int32(additionalData.count)) == 1
    }

    /// Completes the operation; for opening, this is where the tag is checked. GCM writes no
    /// final block, but OpenSSL wants room for one.
    private func finish() -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_BLOCK_LENGTH)) { block in
            var produced: Int32 = 0
            return EVP_CipherFinal_ex(context, block.baseAddress, &produced) == 1 && produced == 0
        }
    }

    /// Typed view for OpenSSL; nil for an empty buffer, whose update is skipped.
    private static func typed(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        guard buffer.count > 0 else { return nil }
        return buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    private static func typed(_ buffer: UnsafeMutableRawBufferPointer) -> UnsafeMutablePointer<UInt8>? {
        guard buffer.count > 0 else { return nil }
        return buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}
