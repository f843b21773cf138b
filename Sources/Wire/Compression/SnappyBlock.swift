import CSnappy

/// Snappy block format (not the framed/stream format): compress message Algo 1 in Grafana's
/// memberlist fork (dskit-kv-ring.md §2). Backed by the system libsnappy.
public enum SnappyBlock {
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        compress(input, into: &output)
        return output
    }

    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress($0) }
    }

    /// Replaces the contents of `output` with the block for `input`, reusing its capacity.
    public static func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        let (status, produced) = run(input, into: &output, capacity: snappy_max_compressed_length(input.count),
                                     snappy_compress)
        // libsnappy only fails when the output is smaller than snappy_max_compressed_length;
        // should it ever fail, a literal-only block is still valid snappy.
        guard status == SNAPPY_OK else {
            output = literalBlock(input)
            return
        }
        output.removeLast(output.count - produced)
    }

    /// Decodes one snappy block after checking its declared length against `limit`, so no
    /// more than `limit` bytes are ever allocated, and validating it completely.
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        var output: [UInt8] = []
        try decompress(input, limit: limit, into: &output)
        return output
    }

    public static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        try input.withUnsafeBytes { buffer in
            Result { () throws(CompressionError) in try decompress(buffer, limit: limit) }
        }.get()
    }

    /// Replaces the contents of `output` with the decoded block, reusing its capacity.
    /// On error `output` is left empty.
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int, into output: inout [UInt8]) throws(CompressionError) {
        output.removeAll(keepingCapacity: true)
        var declaredLength = 0
        let lengthStatus = withSourcePointer(input) { source in
            snappy_uncompressed_length(source, input.count, &declaredLength)
        }
        guard lengthStatus == SNAPPY_OK else { throw .invalidSnappyBlock }
        guard declaredLength <= limit else { throw .outputLimitExceeded(limit: limit) }
        let validStatus = withSourcePointer(input) { source in
            snappy_validate_compressed_buffer(source, input.count)
        }
        guard validStatus == SNAPPY_OK else { throw .invalidSnappyBlock }
        let (status, produced) = run(input, into: &output, capacity: declaredLength, snappy_uncompress)
        guard status == SNAPPY_OK, produced == declaredLength else {
            output.removeAll(keepingCapacity: true)
            throw .invalidSnappyBlock
        }
        output.removeLast(output.count - produced)
    }

    /// One libsnappy call from `input` into `output`, sized to `capacity` (at least one byte,
    /// so the destination pointer is never null): its status and how many bytes it wrote.
    private static func run(
        _ input: UnsafeRawBufferPointer, into output: inout [UInt8], capacity: Int,
        _ call: (UnsafePointer<CChar>?, Int, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int>?) -> snappy_status
    ) -> (snappy_status, Int) {
        var status = SNAPPY_OK
        var produced = 0
        resize(&output, to: max(capacity, 1))
        output.withUnsafeMutableBufferPointer { buffer in
            guard let destination = charPointer(buffer) else {
                status = SNAPPY_BUFFER_TOO_SMALL
                return
            }
            var outputLength = capacity
            status = withSourcePointer(input) { source in call(source, input.count, destination, &outputLength) }
            produced = outputLength
        }
        return (status, produced)
    }

    /// Sets `count` bytes (contents unspecified) without giving up capacity.
    private static func resize(_ bytes: inout [UInt8], to count: Int) {
        if bytes.count > count {
            bytes.removeLast(bytes.count - count)
        } else {
            bytes.append(contentsOf: repeatElement(0, count: count - bytes.count))
        }
    }

    /// A block holding `input` as literals only: varint length, then literal elements of at
    /// most 65536 bytes each (tag 61 << 2 with a 2-byte little-endian length − 1).
    static func literalBlock(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var block: [UInt8] = []
        block.reserveCapacity(input.count + input.count / 65536 * 3 + 13)
        var remaining = UInt64(input.count)
        while remaining >= 0x80 {
            block.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        block.append(UInt8(truncatingIfNeeded: remaining))
        var start = 0
        while start < input.count {
            let chunk = min(65536, input.count - start)
            block.append(61 << 2)
            block.append(UInt8(truncatingIfNeeded: chunk - 1))
            block.append(UInt8(truncatingIfNeeded: (chunk - 1) >> 8))
            block.append(contentsOf: input[start..<(start + chunk)])
            start += chunk
        }
        return block
    }

    /// libsnappy wants a non-null `const char *` even for empty input.
    private static func withSourcePointer<R>(_ input: UnsafeRawBufferPointer, _ body: (UnsafePointer<CChar>) -> R) -> R {
        if let base = input.baseAddress {
            return body(base.assumingMemoryBound(to: CChar.self))
        }
        var placeholder: CChar = 0
        return body(&placeholder)
    }

    private static func charPointer(_ buffer: UnsafeMutableBufferPointer<UInt8>) -> UnsafeMutablePointer<CChar>? {
        buffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
    }
}
