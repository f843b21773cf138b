/// How packets and streams are wrapped for one node (memberlist-wire.md §3.1,
/// §4.1, §5): label, keyring and its verify flags, compression and CRC.
public struct PacketSecurity: Sendable {
    /// Cluster label; empty means no label header (§3.2). At most 255 bytes.
    public var label: [UInt8]
    /// Encryption is on when a keyring is present (§5).
    public var keyring: Keyring?
    /// Refuse unencrypted input when a keyring is set (GossipVerifyIncoming, default true).
    public var verifyIncoming: Bool
    /// Encrypt output when a keyring is set (GossipVerifyOutgoing, default true).
    public var verifyOutgoing: Bool
    /// Inbound packets/streams must carry no label; the local label is still the AAD (§3.2).
    public var skipInboundLabelCheck: Bool
    /// 1 (`.plain`) unless the configured protocol version is 1 (§5).
    public var encryptionVersion: EncryptionVersion
    /// Compress outgoing messages (EnableCompression, default true).
    public var compress: Bool
    /// Algo for outgoing compression; hashicorp peers only decode LZW (§6).
    public var compressionAlgorithm: CompressionAlgorithm
    /// Default for adding the hasCrc wrapper to packets; Go decides per destination (§3.3).
    public var crc: Bool
    /// Largest accepted decompressed size (40 MiB in newest memberlist, §4.1).
    public var decompressionLimit: Int

    public init(label: [UInt8] = [], keyring: Keyring? = nil, verifyIncoming: Bool = true, verifyOutgoing: Bool = true,
                skipInboundLabelCheck: Bool = false, encryptionVersion: EncryptionVersion = .plain,
                compress: Bool = false, compressionAlgorithm: CompressionAlgorithm = .lzw, crc: Bool = false,
                decompressionLimit: Int = WireLimits.maxDecompressedLength) {
        self.label = label
        self.keyring = keyring
        self.verifyIncoming = verifyIncoming
        self.verifyOutgoing = verifyOutgoing
        self.skipInboundLabelCheck = skipInboundLabelCheck
        self.encryptionVersion = encryptionVersion
        self.compress = compress
        self.compressionAlgorithm = compressionAlgorithm
        self.crc = crc
        self.decompressionLimit = decompressionLimit
    }

    /// True when outgoing traffic is encrypted: a keyring and GossipVerifyOutgoing (§5).
    public var encryptsOutgoing: Bool { keyring != nil && verifyOutgoing }

    /// Bytes encryption adds to a packet for the budget (§3.4): 29 at vsn 1, 45 at vsn 0, 0 when off.
    public var encryptionOverhead: Int { encryptsOutgoing ? Keyring.overhead(encryptionVersion) : 0 }

    /// Bytes the label header adds (§3.4).
    public var labelOverhead: Int { LabelHeader.overhead(labelLength: label.count) }
}
