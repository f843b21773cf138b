/// A byte-exact re-implementation of Go 1.19's `compress/lzw` writer with LSB order and
/// literal width 8 (memberlist-wire.md §6, vectors in §12).
///
/// Go's quirks reproduced here: a clear code leads every non-empty stream; the width grows
/// as soon as the next code to assign reaches 2^width; when that code would be 4095 the
/// encoder emits clear at the current width and starts over without adding an entry; the
/// final pending code also advances the dictionary (and may trigger that reset) before EOF.
/// Empty input becomes clear + EOF.
///
/// One encoder serves every packet: memberlist tries to compress each outgoing packet
/// (§3.1 step 2), so the 64 KiB table is allocated once and, between streams, only the
/// slots the last stream filled are cleared (at most one per input byte).
struct LZWEncoder {
    /// Open-addressed map from (prefix code << 8 | next byte) to the assigned code.
    /// Each slot holds `key << 12 | code`; 0 marks an empty slot (codes start at 258).
    private var table: [UInt32]
    /// Slots filled since the table was last cleared (at most 4095 - 258 entries).
    private var filledSlots: [UInt16]
    private static let tableSize = 1 << 14
    private static let tableMask = UInt32(tableSize - 1)

    private var width = LZWCodes.initialWidth
    /// The most recently assigned code (starts at EOF, so the first entry is 258).
    private var highestCode = LZWCodes.endOfStream
    private var nextWidthThreshold: UInt16 = 1 << UInt16(LZWCodes.initialWidth)

    init() {
        table = [UInt32](repeating: 0, count: Self.tableSize)
        filledSlots = []
        filledSlots.reserveCapacity(Int(LZWCodes.encoderLastCode - LZWCodes.endOfStream))
    }

    /// One-shot compression into a fresh array (tests and slow paths).
    static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var encoder = LZWEncoder()
        var output = LSBBitWriter(capacity: input.count / 2 + 4)
        encoder.compress(input, into: &output)
        return output.bytes
    }

    /// Writes the whole stream for `input` (clear … EOF) into `output`, which is reset first.
    mutating func compress(_ input: UnsafeRawBufferPointer, into output: inout LSBBitWriter) {
        output.reset()
        resetDictionary()
        output.write(LZWCodes.clear, width: width)
        guard let first = input.first else {
            output.write(LZWCodes.endOfStream, width: width)
            output.flush()
            return
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
            if advanceHighestCode(&output) {
                table[Int(slot)] = key << 12 | UInt32(highestCode)
                filledSlots.append(UInt16(truncatingIfNeeded: slot))
            }
        }
        output.write(UInt16(truncatingIfNeeded: code), width: width)
        _ = advanceHighestCode(&output)
        output.write(LZWCodes.endOfStream, width: width)
        output.flush()
    }

    /// Assigns the next code, widening codes when it reaches 2^width. Returns false when the
    /// dictionary was full and has just been reset (clear emitted, no entry to add).
    private mutating func advanceHighestCode(_ output: inout LSBBitWriter) -> Bool {
        highestCode += 1
        if highestCode == nextWidthThreshold {
            width += 1
            nextWidthThreshold <<= 1
        }
        guard highestCode == LZWCodes.encoderLastCode else { return true }
        output.write(LZWCodes.clear, width: width)
        resetDictionary()
        return false
    }

    /// Back to the state after a clear code: 9-bit codes, no entries.
    private mutating func resetDictionary() {
        width = LZWCodes.initialWidth
        highestCode = LZWCodes.endOfStream
        nextWidthThreshold = 1 << UInt16(LZWCodes.initialWidth)
        for slot in filledSlots { table[Int(slot)] = 0 }
        filledSlots.removeAll(keepingCapacity: true)
    }
}
