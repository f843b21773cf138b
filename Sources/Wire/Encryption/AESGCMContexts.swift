/// The reused AES-GCM contexts of one direction, one per AES key size, made on first use
/// (memberlist-wire.md §5: a keyring may mix 16, 24 and 32-byte keys, and decryption tries
/// each key). Naming a different cipher on an OpenSSL context allocates, so each size keeps
/// its own context and trying a keyring of mixed sizes stays allocation-free.
struct AESGCMContexts {
    let direction: AESGCMContext.Direction
    private var aes128: AESGCMContext?
    private var aes192: AESGCMContext?
    private var aes256: AESGCMContext?

    init(direction: AESGCMContext.Direction) {
        self.direction = direction
    }

    /// The context for keys of `keyLength` bytes; nil when the length is not an AES key size
    /// or OpenSSL cannot allocate a context.
    mutating func context(forKeyLength keyLength: Int) -> AESGCMContext? {
        switch keyLength {
        case 16:
            if aes128 == nil { aes128 = AESGCMContext(direction: direction, keyLength: 16) }
            return aes128
        case 24:
            if aes192 == nil { aes192 = AESGCMContext(direction: direction, keyLength: 24) }
            return aes192
        case 32:
            if aes256 == nil { aes256 = AESGCMContext(direction: direction, keyLength: 32) }
            return aes256
        default:
            return nil
        }
    }
}
