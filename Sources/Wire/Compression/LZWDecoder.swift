/// Decodes Go `compress/lzw` streams (LSB order, literal width 8; memberlist-wire.md §6).
///
/// Follows Go's reader: accepts streams with or without a leading clear; the entry for the
/// previous code is completed by the first byte of the current one (including the KwKwK
/// case, where the current code is the one being defined); codes widen when the next entry
/// reaches 2^width; at 12 bits and 4096 entries the dictionary freezes until a clear.
/// Unlike Go it stops with an error the moment output would pass `limit`, so a hostile
/// stream can never make it allocate more than `limit` bytes.
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

    private var output: [UInt8] = []
    private let limit: Int

    private init(limit: Int) {
        self.limit = limit
        for literal in 0..<256 {
            firstByte[literal] = UInt8(literal)
        }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        var decoder = LZWDecoder(limit: limit)
        try decoder.run(input)
        return decoder.output
    }

    private mutating func run(_ input: UnsafeRawBufferPointer) throws(CompressionError) {
        var reader = LSBBitReader(input)
        while true {
            let offset = reader.bitOffsetInBytes
            guard let code = reader.read(width: width) else { throw .unexpectedEnd }
            if code == LZWCodes.clear {
                width = LZWCodes.initialWidth
                nextCode = LZWCodes.endOfStream
                widthThreshold = 1 << UInt16(LZWCodes.initialWidth)
                previous = Self.noCode
                continue
            }
            if code == LZWCodes.endOfStream { return }
            guard code < LZWCodes.clear || code <= nextCode else { throw .invalidCode(offset: offset) }
            try emit(code, offset: offset)
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
    private mutating func emit(_ code: UInt16, offset: Int) throws(CompressionError) {
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
        try append(code, count: count, offset: offset)
    }

    /// Writes the `count` bytes of entry `code` (already defined) by walking its prefix chain
    /// backwards, after checking the limit and growing capacity no further than `limit`.
    /// The chain length always matches `count` for entries of the current epoch; the bound
    /// check on `index` turns any inconsistency into an error instead of a trap.
    private mutating func append(_ code: UInt16, count: Int, offset: Int) throws(CompressionError) {
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
