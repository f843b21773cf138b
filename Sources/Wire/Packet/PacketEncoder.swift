/// Builds an outgoing UDP packet (or dskit packet payload) from a message or
/// compound, innermost first (memberlist-wire.md §3.1): compress if strictly
/// smaller → CRC → encrypt → label.
public enum PacketEncoder {
    /// Appends the wrapped packet for `payload` (a whole message or compound, type byte included).
    /// - Parameter crc: add the hasCrc wrapper; nil uses `security.crc`. Go adds it when the
    ///   destination's PMax ≥ 5 (§3.3).
    public static func encode(_ payload: UnsafeRawBufferPointer, security: PacketSecurity, crc: Bool? = nil,
                              into out: inout WireBuffer) throws(PacketError) {
        var workspace = PacketWorkspace()
        try encode(payload, security: security, crc: crc, workspace: &workspace, into: &out)
    }

    /// As above, compressing with `workspace`'s reused state (no allocation per packet).
    public static func encode(_ payload: UnsafeRawBufferPointer, security: PacketSecurity, crc: Bool? = nil,
                              workspace: inout PacketWorkspace, into out: inout WireBuffer) throws(PacketError) {
        let start = out.count
        do throws(PacketError) {
            try LabelHeader.encode(security.label, into: &out)
            let innerStart = out.count
            var wroteCompressed = false
            if security.compress {
                let algorithm = security.compressionAlgorithm
                wroteCompressed = try workspace.compress(payload, algorithm: algorithm) { (compressed) throws(PacketError) -> Bool in
                    // Used on UDP only if the whole compress message is strictly smaller (§3.1 step 2).
                    guard compressedMessageLength(compressedCount: compressed.count) < payload.count else { return false }
                    out.append(MessageType.compress.rawValue)
                    CompressedPayload.encode(algorithm: algorithm.rawValue, buffer: compressed, into: &out)
                    return true
                }
            }
            if !wroteCompressed { out.append(contentsOf: payload) }
            if crc ?? security.crc { ChecksumHeader.wrap(&out, from: innerStart) }
            if security.encryptsOutgoing, let keyring = security.keyring {
                do {
                    try EncryptionAAD.packet(label: security.label).withTypedUnsafeBytes { (aad) throws(EncryptionError) in
                        // Sealed in place; UDP ciphertext has no type byte (§3.1 step 4).
                        try workspace.sealPacket(&out, from: innerStart, keyring: keyring, version: security.encryptionVersion,
                                                 additionalData: aad)
                    }
                } catch {
                    throw PacketError.encryptionFailed(reason: String(describing: error))
                }
            }
        } catch {
            out.truncate(to: start)
            throw error
        }
    }

    /// Encodes `message` into `scratch` (cleared first) and wraps it into `out`.
    public static func encode(_ message: Message, security: PacketSecurity, crc: Bool? = nil,
                              scratch: inout WireBuffer, into out: inout WireBuffer) throws(PacketError) {
        scratch.removeAll(keepingCapacity: true)
        message.encode(into: &scratch)
        try scratch.withUnsafeBytes { (raw) throws(PacketError) in try encode(raw, security: security, crc: crc, into: &out) }
    }

    /// As above, compressing with `workspace`'s reused state (no allocation per packet).
    public static func encode(_ message: Message, security: PacketSecurity, crc: Bool? = nil, scratch: inout WireBuffer,
                              workspace: inout PacketWorkspace, into out: inout WireBuffer) throws(PacketError) {
        scratch.removeAll(keepingCapacity: true)
        message.encode(into: &scratch)
        try scratch.withUnsafeBytes { (raw) throws(PacketError) in
            try encode(raw, security: security, crc: crc, workspace: &workspace, into: &out)
        }
    }

    /// Size of `09 {Algo, Buf}` for a Buf of `compressedCount` bytes.
    static func compressedMessageLength(compressedCount: Int) -> Int {
        let rawHeader = compressedCount < 32 ? 1 : (compressedCount <= 0xFFFF ? 3 : 5)
        // 09, fixmap, "Algo" key (5), algo (1), "Buf" key (4), raw header, bytes
        return 1 + 1 + 5 + 1 + 4 + rawHeader + compressedCount
    }
}
