import Benchmark
import BenchmarkSupport
import Wire

// ns/op and malloc counts of the Wire codecs (ARCHITECTURE.md, "Benchmarks").
// Every benchmark builds its buffers and inputs first and runs one warm-up operation so
// that reused buffers reach their steady capacity; only the operation loop is measured.
// Ping/ack encode and decode are the steady state and must make no heap allocation
// ("The event loop owns the hot path"); the others report what they cost.

/// The encoded packet for `message` under `security`, as a peer would send it.
func packet(_ message: Message, security: PacketSecurity, crc: Bool) throws(PacketError) -> [UInt8] {
    var scratch = WireBuffer(capacity: 65_536)
    var out = WireBuffer(capacity: 65_536)
    try PacketEncoder.encode(message, security: security, crc: crc, scratch: &scratch, into: &out)
    return out.bytes
}

/// Registers `name`: `PacketEncoder` writing `message` into reused buffers, compressing (when
/// on) with a reused `PacketWorkspace`, as the node does.
func packetEncodeBenchmark(_ name: String, _ message: Message, security: PacketSecurity, crc: Bool) {
    Benchmark(name, configuration: thousandOperations) { benchmark throws in
        var scratch = WireBuffer(capacity: 65_536)
        var out = WireBuffer(capacity: 65_536)
        var workspace = PacketWorkspace()
        try PacketEncoder.encode(message, security: security, crc: crc, scratch: &scratch, workspace: &workspace, into: &out)
        try measure(benchmark) {
            out.removeAll(keepingCapacity: true)
            try PacketEncoder.encode(message, security: security, crc: crc, scratch: &scratch, workspace: &workspace,
                                     into: &out)
        }
        blackHole(out.count)
    }
}

/// Registers `name`: `PacketDecoder` handing the messages of `bytes` to a visitor, with a reused
/// `PacketWorkspace` as the node has.
/// `nameCapacity` 0 decodes without the workspace's node-name cache (every long name a new String).
func packetDecodeBenchmark(_ name: String, _ bytes: [UInt8], security: PacketSecurity,
                           nameCapacity: Int = NodeNameInterner.defaultCapacity) {
    let packet = ReceivedBytes(bytes)
    Benchmark(name, configuration: thousandOperations) { benchmark throws in
        var delivered = 0
        var workspace = PacketWorkspace(nameCapacity: nameCapacity)
        try PacketDecoder.decode(packet.bytes, security: security, workspace: &workspace) { _ in delivered += 1 }
        guard delivered > 0 else { throw PacketError.empty }
        try measure(benchmark) {
            try PacketDecoder.decode(packet.bytes, security: security, workspace: &workspace) { message in blackHole(message) }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    let plain = PacketSecurity()
    let crc = PacketSecurity(crc: true)
    let labelled = PacketSecurity(label: WireFixtures.label, crc: true)
    guard let keyring = try? Keyring(keys: [WireFixtures.key]) else { fatalError("the fixture key is 16 bytes") }
    let encrypted = PacketSecurity(keyring: keyring, encryptionVersion: .plain)
    let ping = Message.ping(WireFixtures.ping)
    let ack = Message.ack(WireFixtures.ack)
    let alives = (1...3).map(WireFixtures.alive)

    // MARK: The harness alone, to read the others against.

    Benchmark("Baseline: empty loop", configuration: thousandOperations) { benchmark in
        var index = 0
        measure(benchmark) {
            index += 1
            blackHole(index)
        }
    }

    // MARK: Steady state: ping and ack, must be 0 mallocs.

    Benchmark("Ping message encode into reused WireBuffer", configuration: thousandOperations) { benchmark in
        var buffer = WireBuffer(capacity: 1_400)
        ping.encode(into: &buffer)
        measure(benchmark) {
            buffer.removeAll(keepingCapacity: true)
            ping.encode(into: &buffer)
        }
        blackHole(buffer.count)
    }
    packetEncodeBenchmark("Ping packet encode (plain)", ping, security: plain, crc: false)
    packetEncodeBenchmark("Ping packet encode (CRC)", ping, security: crc, crc: true)
    packetEncodeBenchmark("Ack packet encode (plain)", ack, security: plain, crc: false)
    packetEncodeBenchmark("Ack packet encode (CRC)", ack, security: crc, crc: true)

    guard let pingPlain = try? packet(ping, security: plain, crc: false),
          let pingCRC = try? packet(ping, security: crc, crc: true),
          let ackPlain = try? packet(ack, security: plain, crc: false),
          let ackCRC = try? packet(ack, security: crc, crc: true),
          let longNamePing = try? packet(.ping(WireFixtures.longNamePing), security: plain, crc: false)
    else { fatalError("fixture packets encode") }
    packetDecodeBenchmark("Ping packet decode (plain)", pingPlain, security: plain)
    packetDecodeBenchmark("Ping packet decode (CRC)", pingCRC, security: crc)
    packetDecodeBenchmark("Ack packet decode (plain)", ackPlain, security: plain)
    packetDecodeBenchmark("Ack packet decode (CRC)", ackCRC, security: crc)
    // Names over 15 UTF-8 bytes do not fit a small String. The node's workspace caches them
    // (NodeNameInterner), so a name seen before decodes without allocating; without the
    // cache each one decoded is a heap string.
    packetDecodeBenchmark("Ping packet decode (plain, 25-byte names)", longNamePing, security: plain)
    packetDecodeBenchmark("Ping packet decode (plain, 25-byte names, no name cache)", longNamePing, security: plain,
                          nameCapacity: 0)

    // MARK: A probe's packet with piggybacked gossip (§3.4-3.5), CRC and label (§3.1).

    Benchmark("Outgoing ping + 3 alive (compound, CRC, label)", configuration: thousandOperations) { benchmark throws in
        var writer = OutgoingPacketWriter()
        try writer.write(ping: WireFixtures.ping, alives: alives, security: labelled)
        try measure(benchmark) {
            try writer.write(ping: WireFixtures.ping, alives: alives, security: labelled)
        }
        blackHole(writer.packet.count)
    }
    var compoundWriter = OutgoingPacketWriter()
    do { try compoundWriter.write(ping: WireFixtures.ping, alives: alives, security: labelled) } catch {
        fatalError("fixture compound encodes: \(error)")
    }
    packetDecodeBenchmark("Incoming ping + 3 alive (compound, CRC, label)", compoundWriter.packet.bytes, security: labelled)

    // MARK: Compression on (EnableCompression, Go's and dskit's default): every outgoing
    // packet is LZW-compressed and sent compressed only if strictly smaller (§3.1 step 2).
    // A ping or ack never is, but the attempt is made for each one.

    let compressing = PacketSecurity(compress: true)
    packetEncodeBenchmark("Ack packet encode (compression on: tried, sent plain)", ack, security: compressing, crc: false)
    packetEncodeBenchmark("Ping packet encode (compression on: tried, sent plain)", ping, security: compressing, crc: false)
    // A gossip packet that goes out compressed: 20 suspect messages (names of up to 15 bytes,
    // no Vsn array, so decoding them allocates nothing and the rows show compression alone).
    let gossip = (1...20).map { Message.suspect(Suspect(incarnation: UInt32($0), node: "node-\($0)", from: "node-0")) }
    var gossipCompound = WireBuffer(capacity: 65_536)
    Compound.writePackets(gossip, using: &gossipCompound, encode: { $0.encode(into: &$1) }) { _ in }
    var gossipPacket = WireBuffer(capacity: 65_536)
    do {
        try gossipCompound.withUnsafeBytes { (raw) throws(PacketError) in
            try PacketEncoder.encode(raw, security: compressing, into: &gossipPacket)
        }
    } catch {
        fatalError("fixture gossip compound encodes: \(error)")
    }
    guard gossipPacket.bytes.first == MessageType.compress.rawValue else { fatalError("fixture gossip compresses") }
    Benchmark("Gossip compound of 20 suspect encode (compression on: sent compressed)",
              configuration: thousandOperations) { benchmark throws in
        var out = WireBuffer(capacity: 65_536)
        var workspace = PacketWorkspace()
        try gossipCompound.withUnsafeBytes { (raw) throws(PacketError) in
            try PacketEncoder.encode(raw, security: compressing, workspace: &workspace, into: &out)
        }
        try measure(benchmark) {
            out.removeAll(keepingCapacity: true)
            try gossipCompound.withUnsafeBytes { (raw) throws(PacketError) in
                try PacketEncoder.encode(raw, security: compressing, workspace: &workspace, into: &out)
            }
        }
        blackHole(out.count)
    }
    packetDecodeBenchmark("Gossip compound of 20 suspect decode (compressed)", gossipPacket.bytes, security: compressing)

    // MARK: Encryption (AES-128-GCM, vsn 1, §5).

    packetEncodeBenchmark("Ping packet encode (AES-128-GCM)", ping, security: encrypted, crc: false)
    guard let pingEncrypted = try? packet(ping, security: encrypted, crc: false) else { fatalError("fixture encrypts") }
    packetDecodeBenchmark("Ping packet decode (AES-128-GCM)", pingEncrypted, security: encrypted)

    // MARK: LZW (§6) of a 1 KB push/pull.

    let kilobytePushPull = WireFixtures.pushPullBytes(atLeast: 1_024)
    let kilobyteCompressed = Compressor.compress(algorithm: .lzw, kilobytePushPull)
    let kilobyteInput = ReceivedBytes(kilobytePushPull)
    let kilobyteCompressedInput = ReceivedBytes(kilobyteCompressed)
    Benchmark("LZW compress 1 KB push/pull (\(kilobytePushPull.count) B)", configuration: thousandOperations) { benchmark in
        measure(benchmark) {
            blackHole(Compressor.compress(algorithm: .lzw, kilobyteInput.bytes))
        }
    }
    Benchmark("LZW decompress 1 KB push/pull (\(kilobyteCompressed.count) B)",
              configuration: thousandOperations) { benchmark throws in
        try measure(benchmark) {
            blackHole(try Decompressor.decompress(algorithm: CompressionAlgorithm.lzw.rawValue, kilobyteCompressedInput.bytes,
                                                  limit: Decompressor.defaultLimit))
        }
    }

    // MARK: Push/pull of 100 nodes (§4.2).

    let hundredNodes = Message.pushPull(WireFixtures.pushPull(nodes: 100))
    Benchmark("Push/pull encode 100 nodes into reused WireBuffer", configuration: thousandOperations) { benchmark in
        var buffer = WireBuffer(capacity: 65_536)
        hundredNodes.encodeForStream(into: &buffer)
        measure(benchmark) {
            buffer.removeAll(keepingCapacity: true)
            hundredNodes.encodeForStream(into: &buffer)
        }
        blackHole(buffer.count)
    }
    let hundredNodesInput = ReceivedBytes(hundredNodes.encodedBytes)
    Benchmark("Push/pull decode 100 nodes (\(hundredNodesInput.bytes.count) B)",
              configuration: thousandOperations) { benchmark throws in
        try measure(benchmark) {
            blackHole(try Message.decodeStreamMessage(hundredNodesInput.bytes))
        }
    }

    // MARK: dskit packet framing with its MD5 trailer (dskit-kv-ring.md §1).

    let dskitPayload = ReceivedBytes(pingCRC)
    Benchmark("dskit frame encode of a ping packet (MD5)", configuration: thousandOperations) { benchmark throws in
        var buffer = WireBuffer(capacity: 65_536)
        try DskitPacketFrame.encode(address: WireFixtures.dskitAddress, payload: dskitPayload.bytes, into: &buffer)
        try measure(benchmark) {
            buffer.removeAll(keepingCapacity: true)
            try DskitPacketFrame.encode(address: WireFixtures.dskitAddress, payload: dskitPayload.bytes, into: &buffer)
        }
        blackHole(buffer.count)
    }
    var dskitFrame = WireBuffer(capacity: 1_400)
    do { try DskitPacketFrame.encode(address: WireFixtures.dskitAddress, payload: pingCRC, into: &dskitFrame) } catch {
        fatalError("fixture dskit frame encodes: \(error)")
    }
    let dskitConnection = ReceivedBytes(dskitFrame.bytes)
    Benchmark("dskit frame decode of a ping packet (MD5)", configuration: thousandOperations) { benchmark throws in
        guard try DskitPacketFrame.decode(dskitConnection.bytes).digestMatches else { throw DskitFrameError.empty }
        try measure(benchmark) {
            blackHole(try DskitPacketFrame.decode(dskitConnection.bytes).digestMatches)
        }
    }
}
