/// A byte-exact re-implementation of Go 1.19's `compress/lzw` writer with LSB order and
/// literal width 8 (memberlist-wire.md §6, vectors in §12).
///
/// Go's quirks reproduced here: a clear code leads every non-empty stream; the width grows
/// as soon as the next code to assign reaches 2^width; when that code would be 4095 the
/// encoder emits clear at the current width and starts over without adding an entry; the
/// final pending code also advances the dictionary (and may trigger that reset) before EOF.
/// Empty input becomes clear + EOF.
struct LZWEncoder {
    /// Open-addressed map from (prefix code << 8 | next byte) to the assigned code.
    /// Each slot holds `key << 12 | code`; 0 marks an empty slot (codes start at 258).
    private var table: [UInt32]
    private static let tableSize = 1 << 14
    private static let tableMask = UInt32(tableSize - 1)

    private var output: LSBBitWriter
    private var width = LZWCodes.initialWidth
    /// The most recently assigned code (starts at EOF, so the first entry is 258).
    private var highestCode = LZWCodes.endOfStream
    private var nextWidthThreshold: UInt16 = 1 << UInt16(LZWCodes.initialWidth)

    private init(expectedInputSize: Int) {
        table = [UInt32](repeating: 0, count: Self.tableSize)
        output = LSBBitWriter(capacity: expectedInputSize / 2 + 4)
    }

    static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var encoder = LZWEncoder(expectedInputSize: input.count)
        return encoder.run(input)
    }

    private mutating func run(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        output.write(LZWCodes.clear, width: width)
        guard let first = input.first else {
            output.write(LZWCodes.endOfStream, width: width)
            return output.finish()
        }
        var code = UInt32(first)
        for byte in input.dropFirst() {
            let key = code << 8 | UInt32(byte)
            var slot = (key >> 12 ^ key) & Self.tableMask
            var found = false
            while table[Int(slot)] != 0 {
                let entry = table[Int(slot)]
                if entry >> 12 == key {
                    code = entry & 0xfff
                    found = true
                    break
                }
                slot = (slot + 1) & Self.tableMask
            }
            if found { continue }
            output.write(UInt16(truncatingIfNeeded: code), width: width)
            code = UInt32(byte)
            if advanceHighestCode() {
                table[Int(slot)] = key << 12 | UInt32(highestCode)
            }
        }
        output.write(UInt16(truncatingIfNeeded: code), width: width)
        _ = advanceHighestCode()
        output.write(LZWCodes.endOfStream, width: width)
        return output.finish()
    }

    /// Assigns the next code, widening codes when it reaches 2^width. Returns false when the
    /// dictionary was full and has just been reset (clear emitted, no entry to add).
    private mutating func advanceHighestCode() -> Bool {
        highestCode += 1
        if highestCode == nextWidthThreshold {
            width += 1
            nextWidthThreshold <<= 1
        }
        guard highestCode == LZWCodes.encoderLastCode else { return true }
        output.write(LZWCodes.clear, width: width)
        width = LZWCodes.initialWidth
        highestCode = LZWCodes.endOfStream
        nextWidthThreshold = 1 << UInt16(LZWCodes.initialWidth)
        for index in table.indices { table[index] = 0 }
        return false
    }
}
