/// Unwraps an incoming UDP packet (or dskit packet payload) and hands each
/// message to a visitor, reversing memberlist-wire.md §3.1: label → decrypt →
/// CRC → dispatch, recursing through compress and compound (depth-limited).
/// Types never valid in a packet (pushPull 6, encrypt 10, err 13, and hasCrc
/// below the outer layer) are refused, as Go's handleCommand refuses them.
public enum PacketDecoder {
    /// What happened to the parts of a packet that was accepted.
    public struct Report: Hashable, Sendable {
        /// Messages handed to the visitor.
        public var delivered = 0
        /// Compound parts that failed to decode (Go logs them and keeps going).
        public var droppedParts = 0
        /// Compound parts cut off by the end of the packet (§3.5).
        public var truncatedParts = 0
        /// The first per-part error, for logging.
        public var firstPartError: PacketError?
    }

    /// Decodes `packet`, calling `visit` for each message in order.
    /// Errors of the outer layers (label, decryption, CRC, the top-level message) are thrown;
    /// errors of individual compound parts are counted in the report instead.
    @discardableResult
    public static func decode(_ packet: UnsafeRawBufferPointer, security: PacketSecurity,
                              _ visit: (Message) -> Void) throws(PacketError) -> Report {
        var workspace = PacketWorkspace(nameCapacity: 0)
        return try decode(packet, security: security, workspace: &workspace, visit)
    }

    /// As above, decompressing with `workspace`'s reused state (no allocation per packet).
    /// All compress layers of the packet together may produce at most `inflationLimit`
    /// bytes (issue #12: a compound of 127 compress parts must not inflate 127 × 40 MiB);
    /// beyond, the packet is dropped with `.inflationLimitExceeded`. Afterwards
    /// `workspace.inflatedBytes` tells how much was inflated, dropped or not.
    @discardableResult
    public static func decode(_ packet: UnsafeRawBufferPointer, security: PacketSecurity,
                              inflationLimit: Int = WireLimits.maxDecompressedLength,
                              workspace: inout PacketWorkspace, _ visit: (Message) -> Void) throws(PacketError) -> Report {
        workspace.inflationRemaining = max(0, inflationLimit)
        workspace.inflatedBytes = 0
        let (packetLabel, rest) = try LabelHeader.strip(packet)
        let aadLabel = try LabelHeader.verify(packetLabel: packetLabel, localLabel: security.label,
                                              skipInboundLabelCheck: security.skipInboundLabelCheck)
        var report = Report()
        if let keyring = security.keyring {
            let opened = try EncryptionAAD.packet(label: aadLabel).withTypedUnsafeBytes { (aad) throws(PacketError) in
                try workspace.openPacket(rest, keyring: keyring, additionalData: aad) { (plain, workspace) throws(PacketError) in
                    try dispatch(try ChecksumHeader.unwrap(plain), depth: 0, security: security, workspace: &workspace, report: &report, visit)
                }
            }
            if case .failure(let error) = opened {
                // GossipVerifyIncoming=false: a packet that does not decrypt is taken as plaintext (§3.1).
                guard !security.verifyIncoming else { throw .decryptionFailed(reason: String(describing: error)) }
            } else {
                return report
            }
        }
        try dispatch(try ChecksumHeader.unwrap(rest), depth: 0, security: security, workspace: &workspace, report: &report, visit)
        return report
    }

    /// Handles one message, compound or compress at nesting `depth`.
    static func dispatch(_ bytes: UnsafeRawBufferPointer, depth: Int, security: PacketSecurity,
                         workspace: inout PacketWorkspace, report: inout Report, _ visit: (Message) -> Void) throws(PacketError) {
        guard depth <= WireLimits.maxPacketNesting else { throw .nestingTooDeep(limit: WireLimits.maxPacketNesting) }
        guard let first = bytes.first else { throw .empty }
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first) }
        switch type {
        case .compound:
            let summary = try Compound.decode(UnsafeRawBufferPointer(rebasing: bytes[1...])) { (part) throws(PacketError) in
                do throws(PacketError) {
                    try dispatch(part, depth: depth + 1, security: security, workspace: &workspace, report: &report, visit)
                } catch {
                    // Fatal for the whole packet: too deep, or its inflation budget is spent.
                    switch error {
                    case .nestingTooDeep, .inflationLimitExceeded: throw error
                    default: break
                    }
                    report.droppedParts += 1
                    if report.firstPartError == nil { report.firstPartError = error }
                }
            }
            report.truncatedParts += summary.truncatedParts
        case .compress:
            var reader = MessagePackReader(bytes, offset: 1)
            var outcome: Result<Void, PacketError> = .failure(.empty)
            do {
                try CompressedPayload.decode(from: &reader) { algorithm, buffer in
                    outcome = Result { () throws(PacketError) in
                        try workspace.decompress(buffer, algorithm: algorithm, limit: security.decompressionLimit) {
                            (plain, workspace) throws(PacketError) in
                            try dispatch(plain, depth: depth + 1, security: security, workspace: &workspace, report: &report, visit)
                        }
                    }
                }
            } catch {
                throw .message(error)
            }
            try outcome.get()
        case .ping, .indirectPing, .ack, .nack, .suspect, .alive, .dead, .user:
            do {
                visit(try Message.decode(bytes, names: &workspace.nodeNames))
            } catch {
                throw .message(error)
            }
            report.delivered += 1
        case .pushPull, .encrypt, .err, .hasCrc, .hasLabel:
            throw .disallowedType(type, depth: depth)
        }
    }

    /// Convenience collecting the messages into an array (allocates; for tests and slow paths).
    public static func decodeAll(_ packet: [UInt8], security: PacketSecurity) throws(PacketError) -> [Message] {
        var messages: [Message] = []
        var failure: PacketError?
        packet.withUnsafeBytes { raw in
            do throws(PacketError) { try decode(raw, security: security) { messages.append($0) } } catch { failure = error }
        }
        if let failure { throw failure }
        return messages
    }
}

extension PacketError {
    /// Maps a compression failure onto the packet layer's cases.
    init(_ error: CompressionError) {
        switch error {
        case .unknownAlgorithm(let algorithm): self = .unknownCompression(algorithm: algorithm)
        case .emptyOutput: self = .emptyDecompressed
        default: self = .decompressionFailed(reason: String(describing: error))
        }
    }
}
