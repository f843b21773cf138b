import Wire

/// The packet and stream settings a fuzz input selects with its first byte, so one
/// corpus covers plain, labelled and encrypted decoding (the labels and keys of the Go
/// fixtures in Tests/WireTests/Fixtures/memberlist-go, so their bytes decode as seeds).
///
/// Bits 0-1: label ("", "prod", "pyroscope-dev", 255 × "L"); bits 2-3: keyring (none,
/// AES-128 00..0f, AES-192 10..27, AES-256 f0..ff + 30..4f); bit 4: GossipVerifyIncoming
/// off; bit 5: SkipInboundLabelCheck.
public enum FuzzSecurity {
    static let labels: [[UInt8]] = [[], Array("prod".utf8), Array("pyroscope-dev".utf8), [UInt8](repeating: 0x4c, count: 255)]
    static let keyrings: [[[UInt8]]] = [
        [],
        [Array(0x00...0x0f)],
        [Array(0x10...0x27)],
        [Array(0xf0...0xff), Array(0x30...0x4f)],
    ]

    /// The settings byte `selector` names.
    public static func settings(_ selector: UInt8) -> PacketSecurity {
        let keys = keyrings[Int(selector >> 2 & 3)]
        let keyring = keys.isEmpty ? nil : try? Keyring(keys: keys)
        return PacketSecurity(label: labels[Int(selector & 3)], keyring: keyring,
                              verifyIncoming: selector & 0x10 == 0,
                              skipInboundLabelCheck: selector & 0x20 != 0)
    }

    /// Splits a fuzz input into its selector byte and the rest.
    public static func split(_ data: UnsafeRawBufferPointer) -> (PacketSecurity, UnsafeRawBufferPointer)? {
        guard let first = data.first else { return nil }
        return (settings(first), UnsafeRawBufferPointer(rebasing: data.dropFirst()))
    }
}
