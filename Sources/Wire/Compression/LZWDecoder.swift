/// Decodes Go `compress/lzw` streams (LSB order, literal width 8; memberlist-wire.md §6).
///
/// Follows Go's reader: accepts streams with or without a leading clear; the entry for the
/// previous code is completed by the first byte of the current one (including the KwKwK
/// case, where the current code is the one being defined); codes widen when the next entry
/// reaches 2^width; at 12 bits and 4096 entries the dictionary freezes until a clear.
/// Unlike Go it stops with an error the moment output would pass `limit`, so a hostile
/// stream can never make it allocate more than `limit` bytes.
///
/// A decoder is reusable: a stream only ever reads entries it defined itself (codes above
/// the next entry are refused), so between streams only the scalar state is reset and the
/// 48 KiB of tables are allocated once.
struct LZWDecoder {
    private static let noCode = UInt16.max

    /// For code c ≥ 258: the code it extends, its last byte, its first byte and its length.
    private var prefix = [UInt16](repeating: 0, count: LZWCodes.dictionarySize)
    private var suffix = [UInt8](repeating: 0, count: LZWCodes.dictionarySize)
    private var firstByte = [UInt8](repeating: 0, count: LZWCodes.dictionarySize)
    private var length = [Int](repeating: 1, count: LZWCodes.dictionarySize)

    private var width = LZWCodes.initialWidth
    /// The entry the next code will define.
    private var nextCode = LZWCodes.endOfStream
    private var widthThreshold: UInt16 = 1 << UInt16(LZWCodes.initialWidth)
    private var previous = LZWDecoder.noCode
    private var limit = 0

    init() {
        for literal in 0..<256 {
            firstByte[literal] = UInt8(literal)
        }
    }

    /// One-shot decoding into a fresh array (tests and slow paths).
    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        var decoder = LZWDecoder()
        var output: [UInt8] = []
        try decoder.decompress(input, limit: limit, into: &output)
        return output
    }

    /// Replaces the contents of `output` with the decoded stream, keeping its capacity.
    /// On error `output` holds a partial result.
    mutating func decompress(_ input: UnsafeRawBufferPointer, limit: Int, into output: inout [UInt8]) throws(CompressionError) {
        output.removeAll(keepingCapacity: true)
        self.limit = limit
        resetDictionary()
        try run(input, into: &output)
    }

    /// Back to the state after a clear code.
    private mutating func resetDictionary() {
        width = LZWCodes.initialWidth
        nextCode = LZWCodes.endOfStream
        widthThreshold = 1 << UInt16(LZWCodes.initialWidth)
        previous = Self.noCode
    }

    private mutating func run(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CompressionError) {
        var reader = LSBBitReader(input)
        while true {
            let offset = reader.bitOffsetInBytes
            guard let code = reader.read(width: width) else { throw .unexpectedEnd }
            if code == LZWCodes.clear {
                resetDictionary()
                continue
            }
            if code == LZWCodes.endOfStream { return }
            guard code < LZWCodes.clear || code <= nextCode else { throw .invalidCode(offset: offset) }
            try emit(code, offset: offset, into: &output)
            previous = code
            nextCode += 1
            if nextCode >= widthThreshold {
                if width == LZWCodes.maximumWidth {
                    // Dictionary full: keep decoding with fixed entries until a clear.
                    previous = Self.noCode
                    nextCode -= 1
                } else {
                    width += 1
                    widthThreshold <<= 1
                }
            }
        }
    }

    /// Appends the string for `code` and completes the pending entry `nextCode`.
    private mutating func emit(_ code: UInt16, offset: Int, into output: inout [UInt8]) throws(CompressionError) {
        let slot = Int(nextCode)
        let hasPrevious = previous != Self.noCode
        let isLiteral = code < LZWCodes.clear
        let isBeingDefined = !isLiteral && code == nextCode && hasPrevious
        let count: Int
        let leadingByte: UInt8
        if isLiteral {
            count = 1
            leadingByte = UInt8(truncatingIfNeeded: code)
        } else if isBeingDefined {
            // KwKwK: the new entry is previous + first byte of previous.
            count = length[Int(previous)] + 1
            leadingByte = firstByte[Int(previous)]
        } else {
            count = length[Int(code)]
            leadingByte = firstByte[Int(code)]
        }
        if hasPrevious {
            prefix[slot] = previous
            suffix[slot] = leadingByte
            firstByte[slot] = firstByte[Int(previous)]
            length[slot] = length[Int(previous)] + 1
        }
        try append(code, count: count, offset: offset, into: &output)
    }

    /// Writes the `count` bytes of entry `code` (already defined) by walking its prefix chain
    /// backwards, after checking the limit and growing capacity no further than `limit`.
    /// The chain length always matches `count` for entries of the current epoch; the bound
    /// check on `index` turns any inconsistency into an error instead of a trap.
    private func append(_ code: UInt16, count: Int, offset: Int, into output: inout [UInt8]) throws(CompressionError) {
        let start = output.count
        guard count <= limit - start else { throw .outputLimitExceeded(limit: limit) }
        let needed = start + count
        if needed > output.capacity {
            output.reserveCapacity(min(limit, max(needed, output.capacity * 2, 256)))
        }
        output.append(contentsOf: repeatElement(0, count: count))
        var current = code
        var index = needed - 1
        while current >= LZWCodes.clear {
            guard index > start else { throw .invalidCode(offset: offset) }
            output[index] = suffix[Int(current)]
            current = prefix[Int(current)]
            index -= 1
        }
        output[index] = UInt8(truncatingIfNeeded: current)
    }
}
