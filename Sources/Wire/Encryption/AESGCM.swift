import COpenSSL

/// AES-GCM with a 12-byte nonce and a 16-byte tag through OpenSSL EVP; the key length picks
/// AES-128, -192 or -256 (memberlist-wire.md §5).
enum AESGCM {
    static let nonceSize = 12
    static let tagSize = 16
    static let validKeyLengths: Set<Int> = [16, 24, 32]

    /// Encrypts the concatenation of `parts` into `destination`: ciphertext, then tag.
    /// `destination` must hold exactly the parts' total plus 16 bytes. Returns false when
    /// OpenSSL fails.
    static func seal(
        key: [UInt8], nonce: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
        parts: [UnsafeRawBufferPointer], into destination: UnsafeMutableRawBufferPointer
    ) -> Bool {
        let total = parts.reduce(0) { $0 + $1.count }
        guard nonce.count == nonceSize, destination.count == total + tagSize,
              let output = destination.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        let initialized = key.withUnsafeBufferPointer { keyBytes in
            EVP_EncryptInit_ex(context, cipher(forKeyLength: key.count), nil, keyBytes.baseAddress, bytes(nonce))
        }
        guard initialized == 1 else { return false }
        var produced: Int32 = 0
        if additionalData.count > 0 {
            guard EVP_EncryptUpdate(context, nil, &produced, bytes(additionalData), Int32(additionalData.count)) == 1 else {
                return false
            }
        }
        var offset = 0
        for part in parts where part.count > 0 {
            guard EVP_EncryptUpdate(context, output + offset, &produced, bytes(part), Int32(part.count)) == 1 else {
                return false
            }
            offset += Int(produced)
        }
        var finalBlock = [UInt8](repeating: 0, count: 16)
        let finished = finalBlock.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress, &produced)
        }
        guard finished == 1, produced == 0, offset == total else { return false }
        return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), output + total) == 1
    }

    /// Decrypts `ciphertext` into `destination` (same length) and reports whether the tag
    /// authenticates it under `key` and `additionalData`. On false the destination holds junk.
    static func open(
        key: [UInt8], nonce: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
        ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard nonce.count == nonceSize, tag.count == tagSize, destination.count == ciphertext.count,
              let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        let initialized = key.withUnsafeBufferPointer { keyBytes in
            EVP_DecryptInit_ex(context, cipher(forKeyLength: key.count), nil, keyBytes.baseAddress, bytes(nonce))
        }
        guard initialized == 1 else { return false }
        var produced: Int32 = 0
        if additionalData.count > 0 {
            guard EVP_DecryptUpdate(context, nil, &produced, bytes(additionalData), Int32(additionalData.count)) == 1 else {
                return false
            }
        }
        if ciphertext.count > 0 {
            guard let output = destination.baseAddress?.assumingMemoryBound(to: UInt8.self),
                  EVP_DecryptUpdate(context, output, &produced, bytes(ciphertext), Int32(ciphertext.count)) == 1,
                  Int(produced) == ciphertext.count else { return false }
        }
        var expectedTag = Array(tag)
        let tagSet = expectedTag.withUnsafeMutableBytes { buffer in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), buffer.baseAddress)
        }
        guard tagSet == 1 else { return false }
        var finalBlock = [UInt8](repeating: 0, count: 16)
        let verified = finalBlock.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress, &produced)
        }
        return verified > 0
    }

    private static func cipher(forKeyLength length: Int) -> OpaquePointer? {
        switch length {
        case 16: EVP_aes_128_gcm()
        case 24: EVP_aes_192_gcm()
        case 32: EVP_aes_256_gcm()
        default: nil
        }
    }

    /// Typed view for OpenSSL; empty buffers are never passed as data (their updates are skipped).
    private static func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}
