// Helpers shared by the compression and encryption tests.

/// SplitMix64: a tiny seeded generator so "random" inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// Bytes drawn from a small alphabet: compressible, yet not trivially repetitive.
    mutating func bytes(_ count: Int, alphabet: [UInt8]) -> [UInt8] {
        (0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &self)] }
    }
}

enum TransformHex {
    /// Decodes a hex string, ignoring spaces; nil on an odd length or a non-hex digit.
    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8).filter { $0 != UInt8(ascii: " ") }
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Builds LZW streams code by code, independently of the codec under test
/// (LSB-first packing, memberlist-wire.md §6).
enum LZWStreamBuilder {
    static func pack(_ codes: [(code: UInt16, width: Int)]) -> [UInt8] {
        var bytes: [UInt8] = []
        var pending: UInt64 = 0
        var count = 0
        for (code, width) in codes {
            pending |= UInt64(code) << UInt64(count)
            count += width
            while count >= 8 {
                bytes.append(UInt8(pending & 0xff))
                pending >>= 8
                count -= 8
            }
        }
        if count > 0 { bytes.append(UInt8(pending & 0xff)) }
        return bytes
    }

    /// Code width while the most recently assigned code is `highest`: 9 bits below 512,
    /// growing exactly when a code reaches 2^width (no early change), at most 12.
    static func width(highestAssigned highest: Int) -> Int {
        switch highest {
        case ..<512: 9
        case ..<1024: 10
        case ..<2048: 11
        default: 12
        }
    }

    /// The de Bruijn sequence B(256, 2) (concatenated Lyndon words): every pair of adjacent
    /// bytes in any prefix is distinct, so Go's encoder emits one literal code per byte.
    static func distinctPairs(count: Int) -> [UInt8] {
        var sequence: [UInt8] = []
        sequence.reserveCapacity(count)
        outer: for first in 0..<256 {
            sequence.append(UInt8(first))
            if sequence.count >= count { break }
            for second in (first + 1)..<256 {
                sequence.append(UInt8(first))
                sequence.append(UInt8(second))
                if sequence.count >= count { break outer }
            }
        }
        return Array(sequence.prefix(count))
    }
}
