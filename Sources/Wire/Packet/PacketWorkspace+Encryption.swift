/// Packet encryption with the workspace's reused state (memberlist-wire.md §3.1 step 4, §5):
/// sealed in place in the packet buffer and opened into a reused buffer, with reused
/// OpenSSL contexts and the nonce written straight into the packet, so that a steady-state
/// encrypted packet allocates nothing.
extension PacketWorkspace {
    /// Encrypts `out[start...]` in place with the keyring's primary key, leaving
    /// `vsn nonce ciphertext tag` there; UDP ciphertext has no type byte (§3.1 step 4).
    /// On error `out` is cut back to `start`. `nonce` is for tests; packets get a random one.
    mutating func sealPacket(_ out: inout WireBuffer, from start: Int, keyring: Keyring, version: EncryptionVersion,
                             additionalData: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer? = nil)
        throws(EncryptionError) {
        let plaintextCount = out.count - start
        let total = Keyring.encryptedLength(version, plaintextCount: plaintextCount)
        guard total <= Int(Int32.max) else { throw .payloadTooLarge(length: plaintextCount) }
        out.appendUninitialized(count: total - plaintextCount) { _ in }
        do throws(EncryptionError) {
            try out.withUnsafeMutableBytes { (raw) throws(EncryptionError) in
                try keyring.seal(inPlace: UnsafeMutableRawBufferPointer(rebasing: raw[start...]), plaintextCount: plaintextCount,
                                 version: version, additionalData: additionalData, nonce: nonce,
                                 contexts: &encryption.sealers)
            }
        } catch {
            // The plaintext may have been moved or encrypted in place: the packet is dropped whole.
            out.truncate(to: start)
            throw error
        }
    }

    /// Decrypts `payload` into the reused plaintext buffer and lends the plaintext to `body`
    /// (which may decompress with this same workspace). A payload no key opens is returned as
    /// `.failure` without calling `body`, so the caller can apply GossipVerifyIncoming (§3.1);
    /// errors of `body` are thrown.
    mutating func openPacket<Output>(_ payload: UnsafeRawBufferPointer, keyring: Keyring,
                                     additionalData: UnsafeRawBufferPointer,
                                     _ body: (UnsafeRawBufferPointer, inout PacketWorkspace) throws(PacketError) -> Output)
        throws(PacketError) -> Result<Output, EncryptionError> {
        // Lent out while `body` runs; a buffer grown past a UDP packet's worth is not kept.
        var plain: [UInt8] = []
        swap(&plain, &encryption.plaintext)
        defer { if plain.capacity <= EncryptionWorkspace.retainedCapacity { swap(&plain, &encryption.plaintext) } }
        let needed = Keyring.plaintextCapacity(payloadCount: payload.count)
        if plain.count < needed { plain.append(contentsOf: repeatElement(0, count: needed - plain.count)) }
        let opened = plain.withUnsafeMutableBytes { destination in
            Result { () throws(EncryptionError) in
                try keyring.open(payload, additionalData: additionalData, into: destination, contexts: &encryption.openers)
            }
        }
        switch opened {
        case .failure(let error):
            return .failure(error)
        case .success(let count):
            return .success(try plain.withTypedUnsafeBytes { (raw) throws(PacketError) in
                try body(UnsafeRawBufferPointer(rebasing: raw[0..<count]), &self)
            })
        }
    }
}
