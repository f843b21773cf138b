import Testing
@testable import Wire

/// Where a message tree sits: in a UDP packet (`08 raw` user messages, compounds allowed)
/// or on a stream (`08 {UserMsgLen} raw`, push/pull, err; memberlist-wire.md §4).
enum GoFixtureForm {
    case packet
    case stream
}

/// What the layers of a fixture file turned out to be, peeled with the public Wire pieces
/// (LabelHeader, Keyring + EncryptionAAD, ChecksumHeader, Compound, CompressedPayload,
/// Decompressor). The pipelines (PacketDecoder / StreamDecoder) flatten compounds and
/// compression away, so the tree shape and layer list of the manifest are checked here.
struct GoFixturePeeled: Equatable {
    /// Framing outside the message tree, outermost first: "label", "encrypt", "crc".
    var layers: [String]
    /// The vsn byte of the encrypted payload, if any (memberlist-wire.md §5).
    var encryptionVersion: UInt8?
    var tree: GoFixtureMessage
}

/// Test-side composition of the public Wire API for golden fixtures. No codec logic lives
/// here: every byte is produced or consumed by Sources/Wire; this only chooses the pieces
/// and, where Go's bytes depend on a fixed nonce, feeds that nonce to `Keyring.encrypt`.
enum GoFixtureCodec {
    struct Mismatch: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Message trees

    /// Decodes `type body` recursively into the fixture tree (compound §3.5, compress §6).
    static func decodeTree(_ bytes: [UInt8], form: GoFixtureForm) throws -> GoFixtureMessage {
        switch bytes.first {
        case MessageType.compound.rawValue? where form == .packet:
            var parts: [[UInt8]] = []
            let summary = try bytes.withUnsafeBytes { raw in
                try Compound.decode(UnsafeRawBufferPointer(rebasing: raw[1...])) { (part) throws(PacketError) in
                    parts.append([UInt8](part))
                }
            }
            guard summary.truncatedParts == 0 else { throw Mismatch("compound has \(summary.truncatedParts) truncated parts") }
            return .compound(try parts.map { try decodeTree($0, form: form) })
        case MessageType.compress.rawValue?:
            var consumed = 0
            let payload = try bytes.withUnsafeBytes { raw in
                var reader = MessagePackReader(raw, offset: 1)
                let payload = try CompressedPayload.decode(from: &reader)
                consumed = reader.offset
                return payload
            }
            guard consumed == bytes.count else { throw Mismatch("\(bytes.count - consumed) bytes after the compress message") }
            let plain = try Decompressor.decompress(algorithm: payload.algorithm, payload.buffer, limit: Decompressor.defaultLimit)
            return .compress(algorithm: payload.algorithm, inner: try decodeTree(plain, form: form))
        default:
            switch form {
            case .packet:
                return .message(try Message.decode(bytes))
            case .stream:
                let decoded = try bytes.withUnsafeBytes { raw in try Message.decodeStreamMessage(raw) }
                guard decoded.consumed == bytes.count else { throw Mismatch("\(bytes.count - decoded.consumed) bytes after the stream message") }
                return .message(decoded.message)
            }
        }
    }

    /// Encodes a fixture tree the way Go's sender builds it.
    static func encodeTree(_ tree: GoFixtureMessage, form: GoFixtureForm) throws -> [UInt8] {
        var buffer = WireBuffer()
        switch tree {
        case .message(let message):
            switch form {
            case .packet: message.encode(into: &buffer)
            case .stream: message.encodeForStream(into: &buffer)
            }
        case .compound(let parts):
            buffer.append(contentsOf: try CompoundFraming.compound(try parts.map { try encodeTree($0, form: form) }))
        case .compress(let algorithm, let inner):
            let known = try #require(CompressionAlgorithm(rawValue: algorithm))
            let compressed = Compressor.compress(algorithm: known, try encodeTree(inner, form: form))
            buffer.append(MessageType.compress.rawValue)
            CompressedPayload(algorithm: algorithm, buffer: compressed).encode(into: &buffer)
        case .raw(let bytes):
            return LZW.compress(bytes)
        }
        return buffer.bytes
    }

    // MARK: Peeling layers (receive order, memberlist-wire.md §3.1 / §4.1)

    /// Label → decrypt (AAD = label) → CRC → tree.
    static func peelPacket(_ bytes: [UInt8], _ fixture: GoFixture) throws -> GoFixturePeeled {
        var peeled = GoFixturePeeled(layers: [], encryptionVersion: nil, tree: .raw([]))
        let (label, rest) = try splitLabel(bytes, &peeled)
        guard label == fixture.labelBytes else { throw Mismatch("label \(label), expected \(fixture.labelBytes)") }
        var inner = rest
        if let keyring = try fixture.receivingKeyring() {
            peeled.encryptionVersion = inner.first
            inner = try keyring.decrypt(inner, additionalData: EncryptionAAD.packet(label: label))
            peeled.layers.append("encrypt")
        }
        let message = try inner.withUnsafeBytes { raw in [UInt8](try ChecksumHeader.unwrap(raw)) }
        if message.count != inner.count { peeled.layers.append("crc") }
        peeled.tree = try decodeTree(message, form: .packet)
        return peeled
    }

    /// Label → `0a LEN` frame decrypt (AAD = `0a LEN label`) → tree.
    static func peelStream(_ bytes: [UInt8], _ fixture: GoFixture) throws -> GoFixturePeeled {
        var peeled = GoFixturePeeled(layers: [], encryptionVersion: nil, tree: .raw([]))
        let (label, rest) = try splitLabel(bytes, &peeled)
        guard label == fixture.labelBytes else { throw Mismatch("label \(label), expected \(fixture.labelBytes)") }
        var inner = rest
        if inner.first == MessageType.encrypt.rawValue {
            guard inner.count >= 5 else { throw Mismatch("encrypted frame header cut off") }
            let length = inner[1...4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard Int(length) == inner.count - 5 else { throw Mismatch("LEN \(length) but \(inner.count - 5) bytes follow") }
            let keyring = try #require(try fixture.receivingKeyring(), "encrypted stream but no keys")
            peeled.encryptionVersion = inner.count > 5 ? inner[5] : nil
            inner = try keyring.decrypt(Array(inner[5...]), additionalData: EncryptionAAD.stream(length: length, label: label))
            peeled.layers.append("encrypt")
        }
        peeled.tree = try decodeTree(inner, form: .stream)
        return peeled
    }

    private static func splitLabel(_ bytes: [UInt8], _ peeled: inout GoFixturePeeled) throws -> (label: [UInt8], rest: [UInt8]) {
        let (label, rest) = try bytes.withUnsafeBytes { raw in
            let split = try LabelHeader.strip(raw)
            return ([UInt8](split.label), [UInt8](split.rest))
        }
        if !label.isEmpty { peeled.layers.append("label") }
        return (label, rest)
    }

    // MARK: Encoding with the pipelines (memberlist-wire.md §3.1 / §4.1 send order)

    /// The fixture's bytes rebuilt with PacketEncoder. With encryption, PacketEncoder builds the
    /// plaintext (compress → CRC) and `Keyring.encrypt(nonce:)` seals it with the manifest's nonce,
    /// since the pipeline draws a fresh random nonce (§5).
    static func encodePacket(_ fixture: GoFixture) throws -> [UInt8] {
        let (payload, compress) = try packetPayload(fixture)
        guard fixture.isEncrypted else {
            return try runPacketEncoder(payload, security: fixture.sendingSecurity(compress: compress, keyring: nil, label: fixture.labelBytes),
                                        crc: fixture.hasCRC)
        }
        let plain = try runPacketEncoder(payload, security: fixture.sendingSecurity(compress: compress, keyring: nil, label: []),
                                         crc: fixture.hasCRC)
        let keyring = try #require(try fixture.sendingKeyring())
        let nonce = try #require(fixture.nonce)
        let sealed = try keyring.encrypt(plain, version: try fixture.version(), additionalData: EncryptionAAD.packet(label: fixture.labelBytes),
                                         nonce: nonce)
        var packet = WireBuffer()
        try LabelHeader.encode(fixture.labelBytes, into: &packet)
        packet.append(contentsOf: sealed)
        return packet.bytes
    }

    /// The whole PacketEncoder pipeline with the fixture's settings (random nonce when encrypting).
    static func encodePacketWithPipeline(_ fixture: GoFixture) throws -> [UInt8] {
        let (payload, compress) = try packetPayload(fixture)
        let security = try fixture.sendingSecurity(compress: compress, keyring: try fixture.sendingKeyring(), label: fixture.labelBytes)
        return try runPacketEncoder(payload, security: security, crc: fixture.hasCRC)
    }

    /// The fixture's bytes rebuilt with StreamEncoder; sealed with the manifest's nonce as for packets.
    /// The LEN of the frame and its AAD come from `StreamEncoder.encryptedLength` and `EncryptionAAD.stream`.
    static func encodeStream(_ fixture: GoFixture) throws -> [UInt8] {
        let (message, compress) = try streamMessage(fixture)
        guard fixture.isEncrypted else {
            var out = WireBuffer()
            try StreamEncoder.encode(message, security: fixture.sendingSecurity(compress: compress, keyring: nil, label: fixture.labelBytes),
                                     writeLabel: true, into: &out)
            return out.bytes
        }
        var plain = WireBuffer()
        try StreamEncoder.encode(message, security: fixture.sendingSecurity(compress: compress, keyring: nil, label: []),
                                 writeLabel: false, into: &plain)
        let version = try fixture.version()
        let length = StreamEncoder.encryptedLength(plaintextLength: plain.count, version: version)
        let keyring = try #require(try fixture.sendingKeyring())
        let nonce = try #require(fixture.nonce)
        let sealed = try keyring.encrypt(plain.bytes, version: version,
                                         additionalData: EncryptionAAD.stream(length: UInt32(length), label: fixture.labelBytes),
                                         nonce: nonce)
        var stream = WireBuffer()
        try LabelHeader.encode(fixture.labelBytes, into: &stream)
        stream.append(MessageType.encrypt.rawValue)
        stream.append(bigEndian: UInt32(length))
        stream.append(contentsOf: sealed)
        return stream.bytes
    }

    /// The whole StreamEncoder pipeline with the fixture's settings (random nonce when encrypting).
    static func encodeStreamWithPipeline(_ fixture: GoFixture) throws -> [UInt8] {
        let (message, compress) = try streamMessage(fixture)
        var out = WireBuffer()
        try StreamEncoder.encode(message, security: fixture.sendingSecurity(compress: compress, keyring: try fixture.sendingKeyring(),
                                                                             label: fixture.labelBytes),
                                 writeLabel: true, into: &out)
        return out.bytes
    }

    /// What PacketEncoder is given. A top-level compress node that is strictly smaller than its
    /// content is left to the pipeline, which must make Go's choice (§3.1 step 2). One that is
    /// not smaller cannot come from the pipeline (Go's generator called compressPayload directly):
    /// the encoded compress message is then the payload, with compression off.
    private static func packetPayload(_ fixture: GoFixture) throws -> (payload: [UInt8], compress: CompressionAlgorithm?) {
        let whole = try encodeTree(fixture.message, form: .packet)
        if case .compress(let algorithm, let inner) = fixture.message {
            let known = try #require(CompressionAlgorithm(rawValue: algorithm))
            let plain = try encodeTree(inner, form: .packet)
            if whole.count < plain.count { return (plain, known) }
        }
        return (whole, nil)
    }

    private static func streamMessage(_ fixture: GoFixture) throws -> (message: Message, compress: CompressionAlgorithm?) {
        if case .compress(let algorithm, let inner) = fixture.message {
            let known = try #require(CompressionAlgorithm(rawValue: algorithm))
            return (try #require(inner.leaf, "stream compress must wrap one message"), known)
        }
        return (try #require(fixture.message.leaf, "stream fixture must be one message"), nil)
    }

    private static func runPacketEncoder(_ payload: [UInt8], security: PacketSecurity, crc: Bool) throws -> [UInt8] {
        var out = WireBuffer()
        try payload.withUnsafeBytes { raw in try PacketEncoder.encode(raw, security: security, crc: crc, into: &out) }
        return out.bytes
    }
}

extension GoFixture {
    var labelBytes: [UInt8] { Array(label.utf8) }
    var isEncrypted: Bool { layers.contains("encrypt") }
    var hasCRC: Bool { layers.contains("crc") }

    /// The keys in manifest (keyring) order; decryption tries each (§5).
    func receivingKeyring() throws -> Keyring? {
        keys.isEmpty ? nil : try Keyring(keys: keys)
    }

    /// The same keys with `encryptKey` as primary, as Go's sender had them.
    func sendingKeyring() throws -> Keyring? {
        guard var keyring = try receivingKeyring() else { return nil }
        if let encryptKey { try keyring.use(primary: encryptKey) }
        return keyring
    }

    func version() throws -> EncryptionVersion {
        let raw = try #require(encryptionVersion, "\(name): encrypted without encryptionVersion")
        return try #require(UInt8(exactly: raw).flatMap(EncryptionVersion.init(rawValue:)), "\(name): bad encryptionVersion \(raw)")
    }

    /// What a receiver configured like the fixture's peer uses.
    func receivingSecurity() throws -> PacketSecurity {
        PacketSecurity(label: labelBytes, keyring: try receivingKeyring())
    }

    func sendingSecurity(compress: CompressionAlgorithm?, keyring: Keyring?, label: [UInt8]) throws -> PacketSecurity {
        PacketSecurity(label: label, keyring: keyring, encryptionVersion: keyring == nil ? .plain : try version(),
                       compress: compress != nil, compressionAlgorithm: compress ?? .lzw, crc: hasCRC)
    }

    /// A dskit fixture's payload seen as the plain memberlist packet it carries.
    var dskitPayloadFixture: GoFixture {
        var inner = self
        inner.framing = "packet"
        inner.layers.removeAll { $0 == "dskit" }
        return inner
    }
}

extension GoFixtureMessage {
    /// The messages a receiver is handed, in order, once compounds and compression are unwrapped.
    var leaves: [Message] {
        switch self {
        case .message(let message): [message]
        case .compound(let parts): parts.flatMap(\.leaves)
        case .compress(_, let inner): inner.leaves
        case .raw: []
        }
    }
}
