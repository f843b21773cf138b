/// GCM additional data (memberlist-wire.md §5; §3.2 for labels, §4.1 for streams).
public enum EncryptionAAD {
    /// UDP packets: the label bytes, empty when no label is configured.
    public static func packet(label: [UInt8]) -> [UInt8] {
        label
    }

    /// TCP streams: the 5-byte header `0a LEN(u32 big-endian)` followed by the label bytes,
    /// where LEN counts vsn + nonce + ciphertext (with padding) + tag.
    public static func stream(length: UInt32, label: [UInt8]) -> [UInt8] {
        var aad: [UInt8] = [MessageType.encrypt.rawValue]
        aad.reserveCapacity(5 + label.count)
        aad.append(UInt8(truncatingIfNeeded: length >> 24))
        aad.append(UInt8(truncatingIfNeeded: length >> 16))
        aad.append(UInt8(truncatingIfNeeded: length >> 8))
        aad.append(UInt8(truncatingIfNeeded: length))
        aad.append(contentsOf: label)
        return aad
    }
}
