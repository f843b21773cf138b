/// The reusable state a node keeps for its packets, so a steady-state packet, sent or
/// received, allocates nothing (issue #4; counted in Benchmarks/, docs/benchmarks.md):
///
/// - compression: memberlist tries to compress every outgoing packet and sends it
///   compressed only if that is strictly smaller (memberlist-wire.md §3.1 step 2), and Go
///   and dskit peers compress by default, so both directions run on every gossip packet.
///   The LZW tables (112 KiB together) are allocated on first use, so a node with
///   compression off never touches them;
/// - node names longer than Swift's 15-byte inline strings (`NodeNameInterner`);
/// - AES-GCM contexts and buffers for the keyring (§5, `PacketWorkspace+Encryption.swift`).
///
/// Output buffers grow to the largest packet seen; a buffer that grew past
/// `retainedCapacity` (a hostile or push/pull-sized payload) is released after use instead
/// of pinning that memory.
public struct PacketWorkspace {
    /// Buffers up to this size are kept between packets: a UDP packet's worth.
    public static let retainedCapacity = 64 * 1024

    private var lzwEncoder: LZWEncoder?
    private var lzwDecoder: LZWDecoder?
    private var lzwOutput = LSBBitWriter(capacity: 0)
    private var snappyOutput: [UInt8] = []
    private var decompressed: [UInt8] = []
    /// Node names seen in decoded packets, so names longer than 15 bytes decode without
    /// allocating (see `NodeNameInterner` for its bounds). Its table is allocated when the
    /// first such name arrives.
    public var nodeNames: NodeNameInterner
    /// Packet encryption state (see PacketWorkspace+Encryption.swift).
    var encryption = EncryptionWorkspace()
    /// Bytes the compress layers of the packet being decoded may still produce
    /// (`PacketDecoder` sets it per packet; issue #12, decompression fan-out).
    var inflationRemaining = Int.max
    /// Bytes the compress layers of the last decoded packet produced, also when it was
    /// dropped: the node charges them to its inflation budget.
    public internal(set) var inflatedBytes = 0

    /// A workspace whose name table has `nameCapacity` slots (0: names are not cached).
    public init(nameCapacity: Int = NodeNameInterner.defaultCapacity) {
        nodeNames = NodeNameInterner(capacity: nameCapacity)
    }

    /// Compresses `input` with `algorithm` and lends the result to `body`; the bytes are
    /// only valid inside `body`.
    public mutating func compress<Output>(_ input: UnsafeRawBufferPointer, algorithm: CompressionAlgorithm,
                                          _ body: (UnsafeRawBufferPointer) throws(PacketError) -> Output) throws(PacketError) -> Output {
        switch algorithm {
        case .lzw:
            if lzwEncoder == nil { lzwEncoder = LZWEncoder() }
            lzwEncoder?.compress(input, into: &lzwOutput)
            defer { lzwOutput.release(above: Self.retainedCapacity) }
            return try lzwOutput.bytes.withUnsafeBytes { raw in Swift.Result { () throws(PacketError) in try body(raw) } }.get()
        case .snappy:
            SnappyBlock.compress(input, into: &snappyOutput)
            defer { if snappyOutput.capacity > Self.retainedCapacity { snappyOutput = [] } }
            return try snappyOutput.withUnsafeBytes { raw in Swift.Result { () throws(PacketError) in try body(raw) } }.get()
        }
    }

    /// Decodes the `Buf` of a compress message by its `Algo` byte (as `Decompressor` does)
    /// and lends the plain bytes to `body`, which may decode further packets with this same
    /// workspace: a nested compress message then gets a buffer of its own.
    /// - Throws: `PacketError` for an unknown algorithm, a codec error or empty output
    ///   (see `Decompressor.decompress`), and whatever `body` throws.
    public mutating func decompress<Output>(_ input: UnsafeRawBufferPointer, algorithm: UInt8, limit: Int,
                                            _ body: (UnsafeRawBufferPointer, inout PacketWorkspace) throws(PacketError) -> Output)
        throws(PacketError) -> Output {
        guard let known = CompressionAlgorithm(rawValue: algorithm) else {
            throw PacketError(CompressionError.unknownAlgorithm(algorithm))
        }
        // Lent out while `body` runs, so a nested decompression cannot overwrite it.
        var plain: [UInt8] = []
        swap(&plain, &decompressed)
        defer {
            if plain.capacity <= Self.retainedCapacity {
                plain.removeAll(keepingCapacity: true)
                if plain.capacity >= decompressed.capacity { swap(&plain, &decompressed) }
            }
        }
        // The packet's remaining inflation caps this layer; what it produced is charged
        // whether or not it succeeded, so 127 compound parts cannot each take `limit`.
        let budget = inflationRemaining
        let layerLimit = min(limit, budget)
        do throws(CompressionError) {
            defer {
                // Before `body` runs: nested layers then see what this one used.
                inflatedBytes += plain.count
                inflationRemaining = max(0, budget - plain.count)
            }
            switch known {
            case .lzw:
                if lzwDecoder == nil { lzwDecoder = LZWDecoder() }
                try lzwDecoder?.decompress(input, limit: layerLimit, into: &plain)
            case .snappy:
                try SnappyBlock.decompress(input, limit: layerLimit, into: &plain)
            }
            guard !plain.isEmpty else { throw CompressionError.emptyOutput }
        } catch {
            if case .outputLimitExceeded = error, budget < limit { throw .inflationLimitExceeded(limit: budget) }
            throw PacketError(error)
        }
        return try plain.withUnsafeBytes { raw in Swift.Result { () throws(PacketError) in try body(raw, &self) } }.get()
    }
}
